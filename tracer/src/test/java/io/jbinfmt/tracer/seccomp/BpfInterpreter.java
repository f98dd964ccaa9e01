package io.jbinfmt.tracer.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.BitSet;
import java.util.List;

/** Runs a seccomp BPF program over a synthetic struct seccomp_data, as the kernel would (the opcodes we emit). */
final class BpfInterpreter {
    private BpfInterpreter() {
    }

    /** struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6]. */
    static ByteBuffer seccompData(int nr, int arch, long... args) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        b.putInt(0, nr).putInt(4, arch).putLong(8, 0x401000L);
        for (int i = 0; i < args.length; i++) {
            b.putLong(16 + 8 * i, args[i]);
        }
        return b;
    }

    static int run(List<Bpf.Insn> program, ByteBuffer data) {
        return run(program, data, new BitSet());
    }

    /** Runs {@code program} and sets in {@code visited} the index of every instruction it executed. */
    static int run(List<Bpf.Insn> program, ByteBuffer data, BitSet visited) {
        int a = 0;
        int pc = 0;
        for (int steps = 0; steps <= program.size(); steps++) {
            if (pc >= program.size()) {
                throw new IllegalStateException("fell off the end of the program at " + pc);
            }
            Bpf.Insn insn = program.get(pc);
            visited.set(pc);
            if (insn.code() == Bpf.LD_W_ABS) {
                if (insn.k() % 4 != 0 || insn.k() + 4 > data.capacity()) {
                    throw new IllegalStateException("bad load offset " + insn.k());
                }
                a = data.getInt(insn.k());
                pc++;
            } else if (insn.code() == Bpf.JEQ_K) {
                pc += 1 + (a == insn.k() ? insn.jt() : insn.jf());
            } else if (insn.code() == Bpf.JSET_K) {
                pc += 1 + ((a & insn.k()) != 0 ? insn.jt() : insn.jf());
            } else if (insn.code() == Bpf.RET_K) {
                return insn.k();
            } else {
                throw new IllegalStateException("unknown opcode 0x" + Integer.toHexString(insn.code()));
            }
        }
        throw new IllegalStateException("program did not return");
    }
}
