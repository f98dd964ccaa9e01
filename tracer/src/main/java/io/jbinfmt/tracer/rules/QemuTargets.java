package io.jbinfmt.tracer.rules;

import java.io.ByteArrayOutputStream;
import java.util.EnumSet;
import java.util.List;

/**
 * The ELF identities of the architectures qemu-user emulates, and the binfmt_misc rule that recognises each:
 * magic = ELF ident (class, byte order, version 1), e_type 2, e_machine; the mask ignores the OS ABI byte and
 * the low bit of e_type, so both executables (2) and PIE/shared objects (3) match, as in qemu's own table.
 */
public final class QemuTargets {
    /** One qemu-user target: its name (qemu-NAME), ELF class (32/64), byte order and e_machine. */
    public record Target(String name, int bits, boolean bigEndian, int machine) {
    }

    public static final List<Target> ALL = List.of(
            new Target("i386", 32, false, 3),
            new Target("x86_64", 64, false, 62),
            new Target("alpha", 64, false, 0x9026),
            new Target("arm", 32, false, 40),
            new Target("armeb", 32, true, 40),
            new Target("aarch64", 64, false, 183),
            new Target("aarch64_be", 64, true, 183),
            new Target("sparc", 32, true, 2),
            new Target("sparc32plus", 32, true, 18),
            new Target("sparc64", 64, true, 43),
            new Target("ppc", 32, true, 20),
            new Target("ppc64", 64, true, 21),
            new Target("ppc64le", 64, false, 21),
            new Target("m68k", 32, true, 4),
            new Target("mips", 32, true, 8),
            new Target("mipsel", 32, false, 8),
            new Target("mips64", 64, true, 8),
            new Target("mips64el", 64, false, 8),
            new Target("sh4", 32, false, 42),
            new Target("sh4eb", 32, true, 42),
            new Target("s390x", 64, true, 22),
            new Target("riscv32", 32, false, 243),
            new Target("riscv64", 64, false, 243),
            new Target("loongarch64", 64, false, 258),
            new Target("hppa", 32, true, 15),
            new Target("or1k", 32, true, 92),
            new Target("xtensa", 32, false, 94),
            new Target("xtensaeb", 32, true, 94),
            new Target("microblaze", 32, true, 189),
            new Target("microblazeel", 32, false, 189),
            new Target("hexagon", 32, false, 164));

    private QemuTargets() {
    }

    /** The rule sending {@code target}'s executables to {@code interpreter}. */
    public static Rule rule(Target target, byte[] interpreter, RuleSource source) {
        ByteArrayOutputStream magic = new ByteArrayOutputStream();
        ByteArrayOutputStream mask = new ByteArrayOutputStream();
        int[] ident = {0x7f, 'E', 'L', 'F', target.bits() == 64 ? 2 : 1, target.bigEndian() ? 2 : 1, 1};
        for (int b : ident) {
            magic.write(b);
            mask.write(0xff);
        }
        magic.write(0);     // EI_OSABI: any
        mask.write(0x00);
        for (int i = 8; i < 16; i++) {  // EI_ABIVERSION and padding
            magic.write(0);
            mask.write(0xff);
        }
        writeHalf(magic, 2, target.bigEndian());          // e_type ET_EXEC ...
        writeHalf(mask, 0xfffe, target.bigEndian());      // ... or ET_DYN
        writeHalf(magic, target.machine(), target.bigEndian());
        writeHalf(mask, 0xffff, target.bigEndian());
        return new Rule("qemu-" + target.name(), Rule.Kind.MAGIC, 0, magic.toByteArray(), mask.toByteArray(),
                interpreter, EnumSet.noneOf(RuleFlag.class), source);
    }

    private static void writeHalf(ByteArrayOutputStream out, int v, boolean bigEndian) {
        if (bigEndian) {
            out.write((v >> 8) & 0xff);
            out.write(v & 0xff);
        } else {
            out.write(v & 0xff);
            out.write((v >> 8) & 0xff);
        }
    }
}
