package io.jbinfmt.tracer.rules;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinfmtSupportFileTest {
    @Test
    void readsAQemuStyleFile() throws Exception {
        Rule rule = BinfmtSupportFile.parse("""
                package qemu-user
                interpreter /usr/bin/qemu-aarch64
                magic \\x7fELF\\x02
                mask \\xff\\xff\\xff\\xff\\xff
                offset 0
                credentials yes
                fix_binary no
                """.getBytes(StandardCharsets.ISO_8859_1), "qemu-aarch64", "/usr/share/binfmts/qemu-aarch64");
        assertEquals("qemu-aarch64", rule.name());
        assertArrayEquals(new byte[]{0x7f, 'E', 'L', 'F', 2}, rule.magic());
        assertArrayEquals("/usr/bin/qemu-aarch64".getBytes(), rule.interpreter());
        assertTrue(rule.has(RuleFlag.C));
    }

    /** Jazzer's finding: fields holding all eight usual delimiters once threw IllegalArgumentException. */
    @Test
    void fieldsUsingEveryUsualDelimiterStillJoin() throws Exception {
        Rule rule = BinfmtSupportFile.parse("""
                interpreter /opt/a:b|c,d#e%f!g@h;i
                extension x
                """.getBytes(StandardCharsets.ISO_8859_1), "odd", "odd-file");
        assertArrayEquals("/opt/a:b|c,d#e%f!g@h;i".getBytes(), rule.interpreter());
        assertArrayEquals("x".getBytes(), rule.magic());
    }

    @Test
    void fieldsUsingEveryPossibleDelimiterAreASyntaxErrorNamingTheFile() {
        ByteArrayOutputStream interpreter = new ByteArrayOutputStream();
        interpreter.writeBytes("interpreter /x".getBytes());
        for (int b = 1; b <= 0xff; b++) {
            if (b != '\n' && b != '\r') {
                interpreter.write(b);
            }
        }
        interpreter.writeBytes("\nextension e\n".getBytes());
        RuleSyntaxException e = assertThrows(RuleSyntaxException.class,
                () -> BinfmtSupportFile.parse(interpreter.toByteArray(), "all", "all-file"));
        assertEquals("all-file", e.source().file());
        assertTrue(e.reason().contains("no delimiter free"), e.reason());
    }
}
