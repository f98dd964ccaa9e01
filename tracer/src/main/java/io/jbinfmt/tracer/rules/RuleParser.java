package io.jbinfmt.tracer.rules;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Parses one binfmt_misc register string exactly as the kernel's {@code create_entry} does, and refuses what it
 * refuses, with the column and a reason instead of a bare EINVAL. The grammar:
 * <pre>
 *   :name:type:offset:magic:mask:interpreter:flags
 * </pre>
 * The first byte is the delimiter (any byte). type is M (magic) or E (extension). For M, offset is a decimal
 * (empty = 0), magic and mask may use \xHH escapes (exactly two hex digits; nothing else is unescaped), the mask
 * is optional but must decode to the magic's length, and offset + magic length must fit in the 256-byte header.
 * For E, offset and mask are ignored and magic is the extension (no '/'). flags is any run of P, O, C, F, and
 * one trailing newline is allowed. Like the kernel, the buffer is padded with delimiters, so a missing trailing
 * field reads as empty and is then judged as the kernel judges it.
 */
public final class RuleParser {
    /** MAX_REGISTER_LENGTH in fs/binfmt_misc.c. */
    public static final int MAX_LENGTH = 1920;
    private static final int MIN_LENGTH = 11;
    private static final int PAD = 8;

    private final byte[] buf;
    private final int count;
    private final byte del;
    private final RuleSource source;

    private RuleParser(byte[] line, RuleSource source) {
        this.count = line.length;
        this.buf = Arrays.copyOf(line, line.length + PAD);
        this.del = line.length > 0 ? line[0] : 0;
        Arrays.fill(buf, line.length, buf.length, del);
        this.source = source;
    }

    /** Parses {@code line} (without any newline a file had, though one trailing newline is accepted). */
    public static Rule parse(byte[] line, RuleSource source) throws RuleSyntaxException {
        return new RuleParser(line, source).parse();
    }

    private int at(int i) {
        return i < buf.length ? buf[i] & 0xff : 0;
    }

    private RuleSyntaxException error(int index, String reason) {
        return new RuleSyntaxException(source, Math.min(index, count) + 1, reason);
    }

    /** strchr(buf + from, del), or -1 (the padding guarantees a hit in practice). */
    private int nextDelimiter(int from) {
        for (int i = from; i < buf.length; i++) {
            if (buf[i] == del) {
                return i;
            }
            if (buf[i] == 0) {
                return -1;
            }
        }
        return -1;
    }

    private Rule parse() throws RuleSyntaxException {
        if (count < MIN_LENGTH) {
            throw error(0, "too short: a register string has at least " + MIN_LENGTH + " bytes, this one " + count);
        }
        if (count > MAX_LENGTH) {
            throw error(MAX_LENGTH, "too long: at most " + MAX_LENGTH + " bytes, this one has " + count);
        }
        for (int i = 0; i < count; i++) {
            if (buf[i] == 0) {
                throw error(i, "NUL byte in the register string");
            }
        }
        int p = 1;
        // name
        int end = nextDelimiter(p);
        if (end < 0) {
            throw error(p, "no delimiter after the name");
        }
        byte[] name = Arrays.copyOfRange(buf, p, end);
        if (name.length == 0) {
            throw error(p, "the name is empty");
        }
        if (Arrays.equals(name, new byte[]{'.'}) || Arrays.equals(name, new byte[]{'.', '.'})) {
            throw error(p, "the name must not be '.' or '..'");
        }
        if (indexOf(name, (byte) '/') >= 0) {
            throw error(p + indexOf(name, (byte) '/'), "the name must not contain '/'");
        }
        String nameText = RuleText.string(name);
        if (nameText.equals("register") || nameText.equals("status")) {
            throw error(p, "'" + nameText + "' is reserved by binfmt_misc (its control files)");
        }
        p = end + 1;
        // type
        int typeAt = p;
        Rule.Kind kind = switch (at(p++)) {
            case 'E' -> Rule.Kind.EXTENSION;
            case 'M' -> Rule.Kind.MAGIC;
            default -> throw error(typeAt, "the type must be M (magic) or E (extension)");
        };
        if (at(p++) != (del & 0xff)) {
            throw error(p - 1, "expected the delimiter after the type");
        }
        int offset = 0;
        byte[] magic;
        byte[] mask = null;
        if (kind == Rule.Kind.MAGIC) {
            end = nextDelimiter(p);
            if (end < 0) {
                throw error(p, "no delimiter after the offset");
            }
            if (end != p) {
                offset = parseOffset(p, end);
            }
            p = end + 1;
            int magicAt = p;
            int magicEnd = scanArg(p);
            if (magicEnd == p) {
                throw error(magicAt, "the magic is empty");
            }
            p = magicEnd + 1;
            int maskAt = p;
            int maskEnd = scanArg(p);
            p = maskEnd + 1;
            magic = unescapeHex(magicAt, magicEnd);
            if (maskEnd != maskAt) {
                mask = unescapeHex(maskAt, maskEnd);
                if (mask.length != magic.length) {
                    throw error(maskAt, "the mask decodes to " + mask.length + " bytes but the magic to "
                            + magic.length);
                }
            }
            if (magic.length > Rule.HEADER_SIZE || Rule.HEADER_SIZE - magic.length < offset) {
                throw error(magicAt, "offset " + offset + " + magic length " + magic.length
                        + " exceeds the " + Rule.HEADER_SIZE + "-byte header the kernel reads");
            }
        } else {
            end = nextDelimiter(p); // the offset field is skipped
            if (end < 0) {
                throw error(p, "no delimiter after the offset");
            }
            p = end + 1;
            int extAt = p;
            end = nextDelimiter(p);
            if (end < 0) {
                throw error(p, "no delimiter after the extension");
            }
            magic = Arrays.copyOfRange(buf, p, end);
            if (magic.length == 0) {
                throw error(extAt, "the extension is empty");
            }
            if (indexOf(magic, (byte) '/') >= 0) {
                throw error(extAt + indexOf(magic, (byte) '/'), "the extension must not contain '/'");
            }
            p = end + 1;
            end = nextDelimiter(p); // the mask field is skipped
            if (end < 0) {
                throw error(p, "no delimiter after the mask");
            }
            p = end + 1;
        }
        // interpreter
        int interpAt = p;
        end = nextDelimiter(p);
        if (end < 0) {
            throw error(p, "no delimiter after the interpreter");
        }
        byte[] interpreter = Arrays.copyOfRange(buf, p, end);
        if (interpreter.length == 0) {
            throw error(interpAt, "the interpreter is empty");
        }
        p = end + 1;
        // flags
        Set<RuleFlag> flags = EnumSet.noneOf(RuleFlag.class);
        while (RuleFlag.of(at(p)) != null) { // like the kernel, this may run into the padding if del is a flag
            flags.add(RuleFlag.of(at(p)));
            p++;
        }
        if (at(p) == '\n') {
            p++;
        }
        if (p != count) {
            if (p > count) {
                throw error(count, "missing fields: the interpreter must be followed by the delimiter");
            }
            throw error(p, "unknown flag or trailing bytes '" + RuleText.string(Arrays.copyOfRange(buf, p, count))
                    + "' (flags are P, O, C, F)");
        }
        return new Rule(nameText, kind, offset, magic, mask, interpreter, flags, source);
    }

    /** kstrtoint(s, 10): optional sign, decimal digits, an optional trailing newline; must be >= 0. */
    private int parseOffset(int from, int to) throws RuleSyntaxException {
        int i = from;
        boolean negative = false;
        if (at(i) == '+') {
            i++;
        } else if (at(i) == '-') {
            negative = true;
            i++;
        }
        long value = 0;
        int digits = 0;
        while (i < to && at(i) >= '0' && at(i) <= '9') {
            value = value * 10 + (at(i) - '0');
            if (value > Integer.MAX_VALUE + 1L) {
                throw error(from, "the offset is out of range");
            }
            i++;
            digits++;
        }
        if (i < to && at(i) == '\n') {
            i++;
        }
        if (digits == 0 || i != to) {
            throw error(from, "the offset must be a decimal number");
        }
        if (negative ? value != 0 : value > Integer.MAX_VALUE) {
            throw error(from, "the offset must not be negative");
        }
        return (int) value;
    }

    /** scanarg: the end (delimiter index) of a field in which "\x" must be followed by two hex digits. */
    private int scanArg(int p) throws RuleSyntaxException {
        while (true) {
            int c = at(p++);
            if (c == (del & 0xff)) {
                return p - 1;
            }
            if (c == 0) {
                throw error(p - 1, "no delimiter after the field");
            }
            if (c == '\\' && at(p) == 'x') {
                int backslash = p - 1;
                p++;
                if (!isHex(at(p++)) || !isHex(at(p++))) {
                    throw error(backslash, "\\x must be followed by two hex digits");
                }
            }
        }
    }

    /**
     * string_unescape_inplace(UNESCAPE_HEX): a backslash and the byte after it are taken as a pair; only
     * "\\xH[H]" decodes, any other pair (even "\\\\") is kept as both bytes.
     */
    private byte[] unescapeHex(int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        int i = from;
        while (i < to) {
            if (at(i) == '\\' && i + 1 < to) {
                i++;
                if (at(i) == 'x' && i + 1 < to && isHex(at(i + 1))) {
                    int v = Character.digit(at(i + 1), 16);
                    i += 2;
                    if (i < to && isHex(at(i))) {
                        v = (v << 4) | Character.digit(at(i), 16);
                        i++;
                    }
                    out.write(v);
                    continue;
                }
                out.write('\\');
            }
            out.write(at(i++));
        }
        return out.toByteArray();
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
