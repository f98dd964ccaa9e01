package io.jbinfmt.tracer.rules;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * One binfmt_misc rule, as the kernel holds it after parsing a register string.
 *
 * @param name        the rule's name (bytes kept as ISO-8859-1 characters)
 * @param kind        match by magic bytes or by file-name extension
 * @param offset      where the magic starts in the file's first 256 bytes (MAGIC only)
 * @param magic       the decoded magic bytes, or the extension without its dot (EXTENSION)
 * @param mask        the decoded mask, same length as magic, or null for an exact match
 * @param interpreter the interpreter's path, bytes as given
 * @param flags       P, O, C, F (C implies O, as in the kernel)
 * @param source      where it was defined
 * @param extraArgs   jbinfmt extension: arguments for the interpreter, placed right after its name
 * @param extraEnv    jbinfmt extension: {@code NAME=value} entries set in the interpreter's environment
 */
public record Rule(String name, Kind kind, int offset, byte[] magic, byte[] mask, byte[] interpreter,
                   Set<RuleFlag> flags, RuleSource source, List<byte[]> extraArgs, List<byte[]> extraEnv) {

    /** How a rule recognises files: the register string's type field, 'M' or 'E'. */
    public enum Kind {
        MAGIC('M'), EXTENSION('E');

        public final char letter;

        Kind(char letter) {
            this.letter = letter;
        }
    }

    /** BINPRM_BUF_SIZE: the bytes of a file the kernel reads to choose a handler. */
    public static final int HEADER_SIZE = 256;

    /** A rule with no jbinfmt extension. */
    public Rule(String name, Kind kind, int offset, byte[] magic, byte[] mask, byte[] interpreter,
                Set<RuleFlag> flags, RuleSource source) {
        this(name, kind, offset, magic, mask, interpreter, flags, source, List.of(), List.of());
    }

    public Rule {
        extraArgs = List.copyOf(extraArgs);
        extraEnv = List.copyOf(extraEnv);
        flags = flags.isEmpty() ? EnumSet.noneOf(RuleFlag.class) : EnumSet.copyOf(flags);
        if (flags.contains(RuleFlag.C)) {
            flags.add(RuleFlag.O);
        }
        flags = Set.copyOf(flags);
    }

    /** This rule with {@code arg} added to its extra interpreter arguments. */
    public Rule withExtraArg(byte[] arg) {
        List<byte[]> args = new java.util.ArrayList<>(extraArgs);
        args.add(arg);
        return new Rule(name, kind, offset, magic, mask, interpreter, flags, source, args, extraEnv);
    }

    /** Whether it has jbinfmt's extensions (interpreter arguments or environment), which binfmt_misc cannot hold. */
    public boolean hasExtensions() {
        return !extraArgs().isEmpty() || !extraEnv().isEmpty();
    }

    /** This rule with {@code entry} (NAME=value) added to its extra environment. */
    public Rule withExtraEnv(byte[] entry) {
        List<byte[]> env = new java.util.ArrayList<>(extraEnv);
        env.add(entry);
        return new Rule(name, kind, offset, magic, mask, interpreter, flags, source, extraArgs, env);
    }

    public boolean has(RuleFlag flag) {
        return flags.contains(flag);
    }

    /**
     * Whether this rule claims a file whose first 256 bytes are {@code header} (zero-filled past the end of the
     * file) and whose path, as the exec names it, is {@code path} (kernel check_file).
     */
    public boolean matches(byte[] header, byte[] path) {
        if (kind == Kind.EXTENSION) {
            int dot = lastIndexOf(path, (byte) '.');
            return dot >= 0 && Arrays.equals(path, dot + 1, path.length, magic, 0, magic.length);
        }
        for (int j = 0; j < magic.length; j++) {
            int b = header[offset + j] ^ magic[j];
            if (mask != null) {
                b &= mask[j];
            }
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static int lastIndexOf(byte[] a, byte b) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The register string that defines this rule: {@code :name:type:offset:magic:mask:interpreter:flags}, with
     * another delimiter when a field contains ':' (see {@link #delimiter}).
     */
    public byte[] toRegisterString() {
        byte[] nameBytes = RuleText.bytes(name);
        byte[] offsetText = kind == Kind.MAGIC ? Integer.toString(offset).getBytes() : new byte[0];
        byte[] magicText = kind == Kind.MAGIC ? RuleText.hexEscape(magic) : magic;
        byte[] maskText = mask != null ? RuleText.hexEscape(mask) : new byte[0];
        byte del = delimiter(nameBytes, offsetText, magicText, maskText, interpreter);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(del);
        out.writeBytes(nameBytes);
        out.write(del);
        out.write(kind.letter);
        out.write(del);
        out.writeBytes(offsetText);
        out.write(del);
        out.writeBytes(magicText);
        out.write(del);
        out.writeBytes(maskText);
        out.write(del);
        out.writeBytes(interpreter);
        out.write(del);
        for (RuleFlag f : RuleFlag.values()) {
            // C implies O: writing "C" alone is enough and reads back the same
            if (flags.contains(f) && !(f == RuleFlag.O && flags.contains(RuleFlag.C))) {
                out.write(f.letter);
            }
        }
        return out.toByteArray();
    }

    /** Delimiters to try first: readable, and a rules file reads a line starting with them as a rule. */
    private static final byte[] PREFERRED = ":|,%!@^~=+&*?$'\"`<>(){}[]/-_.".getBytes();

    /**
     * A byte no printed field contains: ':' unless a field has one; else another readable one; else any byte
     * that still makes a rules-file line (not '#' or ';', which start comments, nor blanks, which are
     * trimmed); else, for a rule that contains all of those, any byte but NUL and newline. The kernel takes
     * any first byte as the delimiter, so the result always parses back to this rule.
     */
    private static byte delimiter(byte[]... fields) {
        boolean[] used = new boolean[256];
        for (byte[] f : fields) {
            for (byte b : f) {
                used[b & 0xff] = true;
            }
        }
        for (byte c : PREFERRED) {
            if (!used[c & 0xff]) {
                return c;
            }
        }
        for (int c = 0x80; c < 0x100; c++) {
            if (!used[c]) {
                return (byte) c;
            }
        }
        for (int c = 1; c < 0x80; c++) {
            if (!used[c] && c != '#' && c != ';' && c != ' ' && c != '\t' && c != '\r' && c != '\n'
                    && c != 0x0b && c != 0x0c) {
                return (byte) c;
            }
        }
        for (int c = 1; c < 0x80; c++) {
            if (!used[c] && c != '\n') {
                return (byte) c;
            }
        }
        // Only a magic rule whose name and interpreter hold every byte value but its delimiter gets here (its
        // magic, printed in \\x escapes, then holds that one too).
        throw new IllegalStateException("no byte is free to delimit this rule's fields");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rule r && name.equals(r.name) && kind == r.kind && offset == r.offset
                && Arrays.equals(magic, r.magic) && Arrays.equals(mask, r.mask)
                && Arrays.equals(interpreter, r.interpreter) && flags.equals(r.flags)
                && sameBytes(extraArgs, r.extraArgs) && sameBytes(extraEnv, r.extraEnv);
    }

    private static boolean sameBytes(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(magic);
    }

    @Override
    public String toString() {
        return RuleText.string(toRegisterString()) + " (" + source + ")";
    }
}
