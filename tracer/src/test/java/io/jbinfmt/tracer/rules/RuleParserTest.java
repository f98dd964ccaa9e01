package io.jbinfmt.tracer.rules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuleParserTest {
    static final RuleSource SRC = new RuleSource("test.conf", 3);

    static Rule parse(String line) throws RuleSyntaxException {
        return RuleParser.parse(RuleText.bytes(line), SRC);
    }

    static RuleSyntaxException refuse(String line) {
        return assertThrows(RuleSyntaxException.class, () -> parse(line), line);
    }

    @Test
    void debianQemuAarch64Rule() throws Exception {
        Rule r = parse(":qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff"
                + "\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:OCPF");
        assertEquals("qemu-aarch64", r.name());
        assertEquals(Rule.Kind.MAGIC, r.kind());
        assertEquals(0, r.offset());
        assertEquals(20, r.magic().length);
        assertEquals((byte) 0xb7, r.magic()[18]);
        assertEquals((byte) 0xfe, r.mask()[16]);
        assertEquals(Set.of(RuleFlag.O, RuleFlag.C, RuleFlag.P, RuleFlag.F), r.flags());
        assertArrayEquals("/usr/libexec/qemu-binfmt/aarch64-binfmt-P".getBytes(), r.interpreter());
    }

    @Test
    void extensionRuleIgnoresOffsetAndMask() throws Exception {
        Rule r = parse(":wasm:E:junk:wasm:junk:/usr/bin/runner:");
        assertEquals(Rule.Kind.EXTENSION, r.kind());
        assertArrayEquals("wasm".getBytes(), r.magic());
        assertNull(r.mask());
        assertTrue(r.flags().isEmpty());
    }

    @Test
    void anyDelimiterAndOneTrailingNewline() throws Exception {
        Rule r = parse("|x|M|2|ab|\\xff\\x0f|/bin/i|P\n");
        assertEquals(2, r.offset());
        assertArrayEquals(new byte[]{(byte) 0xff, 0x0f}, r.mask());
        assertEquals(Set.of(RuleFlag.P), r.flags());
    }

    @Test
    void cImpliesO() throws Exception {
        assertEquals(Set.of(RuleFlag.C, RuleFlag.O), parse(":c:E::x::/bin/i:C").flags());
    }

    @Test
    void onlyHexEscapesAreDecoded() throws Exception {
        // a backslash pairs with the next byte: "\\\\x41" stays 5 bytes, "\\n" stays two, "\\x41" is 'A'
        assertArrayEquals("\\\\x41\\nA".getBytes(), parse(":e:M::\\\\x41\\n\\x41::/bin/i:").magic());
    }

    @Test
    void errorsNameTheColumn() {
        RuleSyntaxException e = refuse(":name:X::abc::/bin/i:");
        assertEquals(7, e.column());
        assertEquals("test.conf:3:7: the type must be M (magic) or E (extension)", e.getMessage());
        assertEquals(10, refuse(":nm:M::ab\\xzz::/bin/i:").column()); // the backslash
        assertTrue(refuse(":n:E::x::/bin/i:Z").reason().contains("unknown flag"));
        assertTrue(refuse(":n:M:300:ab::/bin/i:").reason().contains("256-byte header"));
        assertTrue(refuse(":n:M::abc:\\xff::/bin/i:").reason().contains("mask decodes to 1"));
        assertTrue(refuse(":n:E::a/b::/bin/i:").reason().contains("'/'"));
        assertTrue(refuse(":../:E::x::/bin/i:").reason().contains("'/'"));
        assertTrue(refuse(":..:E::x::/bin/i:").reason().contains("'.'"));
        assertTrue(refuse(":register:E::x::/bin/i:").reason().contains("reserved"));
        assertTrue(refuse(":n:E::x::/bin/i").reason().contains("missing"));
        assertTrue(refuse(":nn:E::x:::").reason().contains("interpreter is empty"));
        assertTrue(refuse(":a:E::x").reason().contains("too short"));
    }

    @Test
    void roundTripsThroughTheRegisterString() throws Exception {
        for (String line : List.of(
                ":qemu-riscv64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00:"
                        + "\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:"
                        + "/usr/bin/qemu-riscv64:PF",
                ":w:E::wasm::/opt/run wasm:O",
                "|odd:name|M|7|\\x00\\x01||/bin/i|C",
                "|pipe|E||tar.gz||/bin/x:y|P",
                // every delimiter the printer used to try is taken (found by RulesFuzzTest): it must not pick '#'
                // (a comment in a rules file) nor give up
                "\u00e9a:b|c,d%e!f@g#h\u00e9M\u00e9\u00e9\\x01\u00e9\u00e9/i^~=+&*?$'\"`<>(){}[]/-_.\u00e9")) {
            byte[] raw = RuleText.bytes(line);
            Rule r = RuleParser.parse(raw, SRC);
            Rule again = RuleParser.parse(r.toRegisterString(), SRC);
            assertEquals(r, again, line + " -> " + RuleText.string(r.toRegisterString()));
            assertEquals(List.of(r), RuleFile.parse(r.toRegisterString(), "printed").rules(), "loads from a file");
        }
    }
}
