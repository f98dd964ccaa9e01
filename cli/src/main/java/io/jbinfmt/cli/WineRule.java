package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;

import java.nio.file.Path;
import java.util.EnumSet;

/** The default rule for Windows programs: a file starting with "MZ" is run by wine, when wine is installed. */
final class WineRule {
    /** The name Debian's wine-binfmt package registers the same rule under (/usr/share/binfmts/wine). */
    static final String NAME = "wine";

    /**
     * "MZ" at offset 0, nothing more, as Debian's wine-binfmt registers it. A PE file is a DOS "MZ" stub whose
     * e_lfanew (offset 0x3c) points at the "PE\0\0" header and its machine field, and that offset varies with
     * the linker (0x80 from GNU ld, further for MSVC's Rich header): binfmt_misc matches fixed bytes at a fixed
     * offset, so no narrower magic keeps every Windows program. What else starts with MZ is not exec'd in a
     * test tree (DOS programs, which wine refuses with a message; EFI applications and EFI-stub kernels); a file
     * starting with MZ that is not a program at all was not runnable before either (the kernel: ENOEXEC).
     */
    private static final byte[] MAGIC = {'M', 'Z'};

    /**
     * No WINEPREFIX, WINEDEBUG or display is set: they are the user's (a rule's environment would override theirs
     * in every process of the tree). Run under a test driver, wine wants a prefix made beforehand (the first run
     * makes ~/.wine, or $WINEPREFIX, taking seconds and printing to stderr), WINEDEBUG=-all for a quiet stderr,
     * and a wineserver: with none, the first program starts one, which lingers ~3 s after the last, and jbinfmt
     * waits for it as for any daemon of the tree; a persistent one (wineserver -p) must have wine's services
     * started outside the tree too (wineboot), or the first program starts them inside it, where they live as
     * long as the server and jbinfmt never ends.
     */
    static final String NOTE = "Windows programs (MZ, as Debian's wine-binfmt) through wine, found on PATH; "
            + "64-bit ones only without wine32; WINEPREFIX and WINEDEBUG stay yours";

    private WineRule() {
    }

    /** The rule running Windows programs with the wine at {@code wine} (Debian's /usr/bin/wine script is fine). */
    static Rule rule(Path wine) {
        return new Rule(NAME, Rule.Kind.MAGIC, 0, MAGIC, null, wine.toString().getBytes(),
                EnumSet.noneOf(RuleFlag.class), BuiltInRules.SOURCE);
    }
}
