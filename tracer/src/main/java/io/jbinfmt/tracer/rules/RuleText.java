package io.jbinfmt.tracer.rules;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Byte/text conversions for rule fields: ISO-8859-1 keeps every byte, and magic is written as \xHH. */
final class RuleText {
    private static final byte[] HEX = "0123456789abcdef".getBytes();

    private RuleText() {
    }

    static byte[] bytes(String latin1) {
        return latin1.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static byte[] hexEscape(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
        for (byte b : raw) {
            out.write('\\');
            out.write('x');
            out.write(HEX[(b >> 4) & 0xf]);
            out.write(HEX[b & 0xf]);
        }
        return out.toByteArray();
    }
}
