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

    /** The register string that defines this rule: {@code :name:type:offset:magic:mask:interpreter:flags}. */
    public byte[] toRegisterString() {
        byte del = delimiter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(del);
        out.writeBytes(RuleText.bytes(name));
        out.write(del);
        out.write(kind.letter);
        out.write(del);
        if (kind == Kind.MAGIC) {
            out.writeBytes(Integer.toString(offset).getBytes());
            out.write(del);
            out.writeBytes(RuleText.hexEscape(magic));
            out.write(del);
            if (mask != null) {
                out.writeBytes(RuleText.hexEscape(mask));
            }
        } else {
            out.write(del);
            out.writeBytes(magic);
            out.write(del);
        }
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

    /** ':' unless a field contains it; then the first of a few other bytes that none contains. */
    private byte delimiter() {
        for (byte candidate : new byte[]{':', '|', ',', '#', '%', '!', '@'}) {
            if (!contains(RuleText.bytes(name), candidate) && !contains(interpreter, candidate)
                    && (kind == Kind.MAGIC || !contains(magic, candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no delimiter fits rule " + name);
    }

    private static boolean contains(byte[] a, byte b) {
        return lastIndexOf(a, b) >= 0;
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
