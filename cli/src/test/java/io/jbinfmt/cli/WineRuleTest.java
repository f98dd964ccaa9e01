package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.Rule;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default wine rule: Debian's wine-binfmt match (MZ at 0), wine as the interpreter, nothing set for the user. */
class WineRuleTest {
    private static final Rule RULE = WineRule.rule(Path.of("/usr/bin/wine"));

    @Test
    void isTheRegisterLineDebiansWineBinfmtMeans() {
        // /usr/share/binfmts/wine: "package wine / interpreter /usr/bin/wine / magic MZ"
        assertEquals(":wine:M:0:\\x4d\\x5a::/usr/bin/wine:", new String(RULE.toRegisterString()));
        assertEquals(List.of(), RULE.extraArgs());
        assertEquals(List.of(), RULE.extraEnv(), "WINEPREFIX, WINEDEBUG and DISPLAY stay the user's");
    }

    @Test
    void claimsPeFilesWhateverTheirPeHeaderOffset() {
        // GNU ld puts "PE\0\0" at 0x80, MSVC's link further on: only the DOS header's MZ is at a fixed place
        assertTrue(RULE.matches(peHeader(0x80), "./prog.exe".getBytes()));
        assertTrue(RULE.matches(peHeader(0xf0), "prog".getBytes()), "the name does not count");
    }

    @Test
    void leavesElfScriptsAndWasmAlone() {
        assertFalse(RULE.matches(header("\u007fELF\u0002\u0001\u0001"), "./a.out".getBytes()));
        assertFalse(RULE.matches(header("#!/bin/sh\n"), "./t.exe".getBytes()));
        assertFalse(RULE.matches(header("\0asm\u0001\0\0\0"), "./t.exe".getBytes()));
        assertFalse(RULE.matches(header("ZM"), "./t.exe".getBytes()));
    }

    @Test
    void isDescribedByJbinfmtRules() {
        assertEquals(WineRule.NOTE, DefaultRules.note(RULE));
    }

    /** A PE file's first 256 bytes: DOS header, e_lfanew at 0x3c, "PE\0\0" there. */
    private static byte[] peHeader(int peOffset) {
        byte[] h = header("MZ\u0090\0\u0003");
        h[0x3c] = (byte) peOffset;
        h[peOffset] = 'P';
        h[peOffset + 1] = 'E';
        return h;
    }

    private static byte[] header(String start) {
        return Arrays.copyOf(start.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), Rule.HEADER_SIZE);
    }
}
