package io.jbinfmt.tracer.seccomp;

import io.jbinfmt.bindings.libc.Libc;
import io.jbinfmt.bindings.libc.sock_filter;
import io.jbinfmt.bindings.libc.sock_fprog;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** Classic BPF as seccomp uses it: the opcodes we emit, one instruction, and the struct sock_fprog. */
public final class Bpf {
    /** BPF_LD | BPF_W | BPF_ABS: A = 32-bit word at offset k of seccomp_data. */
    public static final int LD_W_ABS = Libc.BPF_LD() | Libc.BPF_W() | Libc.BPF_ABS();
    /** BPF_JMP | BPF_JEQ | BPF_K: pc += (A == k) ? jt : jf. */
    public static final int JEQ_K = Libc.BPF_JMP() | Libc.BPF_JEQ() | Libc.BPF_K();
    /** BPF_JMP | BPF_JSET | BPF_K: pc += (A &amp; k) != 0 ? jt : jf. */
    public static final int JSET_K = Libc.BPF_JMP() | Libc.BPF_JSET() | Libc.BPF_K();
    /** BPF_RET | BPF_K: return k. */
    public static final int RET_K = Libc.BPF_RET() | Libc.BPF_K();

    public static final int RET_ALLOW = Libc.SECCOMP_RET_ALLOW();
    public static final int RET_TRACE = Libc.SECCOMP_RET_TRACE();
    public static final int RET_KILL_PROCESS = Libc.SECCOMP_RET_KILL_PROCESS();
    public static final int RET_DATA_MASK = 0xffff;

    /**
     * Offsets into struct seccomp_data (linux/seccomp.h, a fixed kernel ABI; BpfTest checks them against the
     * generated layout). Not read from the generated class at run time: its initializer builds a VarHandle for
     * the args array, which costs a few milliseconds of start-up for nothing.
     */
    public static final int OFFSET_NR = 0;
    public static final int OFFSET_ARCH = 4;
    /** args[5], the sixth argument: its low and high 32-bit words (little-endian hosts). */
    public static final int OFFSET_ARG5_LOW = 56;
    public static final int OFFSET_ARG5_HIGH = 60;

    private Bpf() {
    }

    /** One struct sock_filter. */
    public record Insn(int code, int jt, int jf, int k) {
        public Insn {
            if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
                throw new IllegalArgumentException("jump offset out of range: jt=" + jt + " jf=" + jf);
            }
        }
    }

    /** A struct sock_fprog for {@code program}, with the instructions, both allocated in {@code arena}. */
    public static MemorySegment toSockFprog(List<Insn> program, Arena arena) {
        MemorySegment filters = sock_filter.allocateArray(program.size(), arena);
        for (int i = 0; i < program.size(); i++) {
            Insn insn = program.get(i);
            MemorySegment f = sock_filter.asSlice(filters, i);
            sock_filter.code(f, (short) insn.code());
            sock_filter.jt(f, (byte) insn.jt());
            sock_filter.jf(f, (byte) insn.jf());
            sock_filter.k(f, insn.k());
        }
        MemorySegment prog = sock_fprog.allocate(arena);
        sock_fprog.len(prog, (short) program.size());
        // the pointer stored as a long: the generated setter's ADDRESS access costs milliseconds on first use
        prog.set(ValueLayout.JAVA_LONG, sock_fprog.filter$offset(), filters.address());
        return prog;
    }
}
