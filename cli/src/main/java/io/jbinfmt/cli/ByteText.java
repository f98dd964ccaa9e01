package io.jbinfmt.cli;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Shows bytes (paths, arguments) as text: UTF-8 where valid, each other byte as \xHH, never lost or mangled. */
final class ByteText {
    private ByteText() {
    }

    static String show(byte[] bytes) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            String s = d.decode(ByteBuffer.wrap(bytes)).toString();
            return s.indexOf('\\') < 0 ? s : s.replace("\\", "\\\\");
        } catch (CharacterCodingException e) {
            StringBuilder out = new StringBuilder();
            ByteBuffer in = ByteBuffer.wrap(bytes);
            CharBuffer buf = CharBuffer.allocate(bytes.length);
            while (in.hasRemaining()) {
                var r = d.reset().decode(in, buf, true);
                buf.flip();
                out.append(buf.toString().replace("\\", "\\\\"));
                buf.clear();
                if (r.isError()) {
                    for (int i = 0; i < r.length(); i++) {
                        out.append(String.format("\\x%02x", in.get() & 0xff));
                    }
                }
            }
            return out.toString();
        }
    }
}
