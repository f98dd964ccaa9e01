package io.jbinfmt.tracer.arch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * x86_64: struct user_regs_struct offsets (asm/ptrace.h; checked against the generated layout by a test),
 * syscall numbers from arch/x86/entry/syscalls/syscall_64.tbl, and the i386/x32 ABIs it also runs.
 */
public final class X86_64 implements Arch {
    static final X86_64 INSTANCE = new X86_64();

    private static final int X32_BIT = 0x40000000;

    // user_regs_struct offsets of the argument registers: x86_64 passes rdi rsi rdx r10 r8 r9, i386 (int 0x80 and
    // the vDSO's entry alike) ebx ecx edx esi edi ebp, seen zero-extended in the same 64-bit register set.
    private static final int EM_386 = 3;
    private static final int EM_X86_64 = 62;
    private static final List<Integer> X86_64_ARGS = List.of(112, 104, 96, 56, 72, 64);
    private static final List<Integer> I386_ARGS = List.of(40, 88, 96, 104, 112, 32);
    private static final int CS = 136;
    private static final long USER_CS_64 = 0x33;

    private static final byte[] SYSCALL = {0x0f, 0x05};
    private static final byte[] INT_0X80 = {(byte) 0xcd, (byte) 0x80};

    // x32 execs are passed through: this kernel (like most) is built without x32, so they fail with ENOSYS.
    private static final ExecAbi NATIVE = new ExecAbi("x86_64", Audit.ARCH_X86_64, 59, 322, 8, X86_64_ARGS,
            new ExecAbi.Calls(9, 257, 157, 228, 53, 47, 292, 3, SYSCALL));
    private static final ExecAbi I386 = new ExecAbi("i386", Audit.ARCH_I386, 11, 358, 4, I386_ARGS,
            new ExecAbi.Calls(192 /* mmap2: offset in pages, 0 here */, 295, 172, 265, 360, 372, 330, 6, INT_0X80));
    private static final List<ExecAbi> ABIS = List.of(NATIVE, I386,
            new ExecAbi("x32", Audit.ARCH_X86_64, X32_BIT | 520, X32_BIT | 545, 4, X86_64_ARGS, null));

    private X86_64() {
    }

    @Override
    public String name() {
        return "x86_64";
    }

    @Override
    public int registerSetSize() {
        return 27 * 8;
    }

    @Override
    public int offset(Reg reg) {
        return switch (reg) {
            case SYSNUM -> 120; // orig_rax
            case RESULT -> 80;  // rax
            case SP -> 152;     // rsp
            case PC -> 128;     // rip
        };
    }

    @Override
    public List<ExecAbi> abis() {
        return ABIS;
    }

    @Override
    public boolean registersInTracerLayout() {
        return true; // one layout (user_regs_struct) for x86_64 and i386 tracees alike
    }

    @Override
    public ExecAbi imageAbi(RegisterSet regs) {
        // a 64-bit process runs in the 64-bit user code segment (0x33), an i386 program in the 32-bit one (0x23)
        return regs.getAt(CS) == USER_CS_64 ? NATIVE : I386;
    }

    @Override
    public boolean loadsElf(int elfMachine) {
        return elfMachine == EM_X86_64 || elfMachine == EM_386; // x32 programs are EM_X86_64 too
    }

    @Override
    public int prctl() {
        return NATIVE.calls().prctl();
    }

    @Override
    public int seccomp() {
        return 317;
    }

    @Override
    public int closeRange() {
        return 436;
    }

    @Override
    public int rtSigprocmask() {
        return 14;
    }

    @Override
    public int dup3() {
        return 292;
    }

    // The kernel engine's calls: numbers from syscall_64.tbl (not among the generated SYS_* constants).
    @Override
    public int unshare() {
        return 272;
    }

    @Override
    public int setns() {
        return 308;
    }

    @Override
    public int mount() {
        return 165;
    }

    @Override
    public int write() {
        return 1;
    }

    @Override
    public int read() {
        return 0;
    }

    @Override
    public int memfdCreate() {
        return 319;
    }

    @Override
    public int socketpair() {
        return 53;
    }

    @Override
    public int shutdown() {
        return 48;
    }

    @Override
    public int fcntl() {
        return 72;
    }

    @Override
    public int setpgid() {
        return 109;
    }

    @Override
    public int close() {
        return 3;
    }

    @Override
    public int sendmsg() {
        return 46;
    }

    @Override
    public int capget() {
        return 125;
    }

    @Override
    public int capset() {
        return 126;
    }

    @Override
    public int statx() {
        return 332;
    }

    @Override
    public int mkdirat() {
        return 258;
    }

    @Override
    public int unlinkat() {
        return 263;
    }

    @Override
    public int cloneProcess() {
        return 56;
    }

    @Override
    public int wait4() {
        return 61;
    }

    @Override
    public int rtSigaction() {
        return 13;
    }

    @Override
    public int chdir() {
        return 80;
    }

    @Override
    public byte[] syscallInstruction() {
        return SYSCALL.clone();
    }

    @Override
    public int redZone() {
        return 128;
    }

    @Override
    public long findSyscallInstruction(MemorySegment code) {
        // glibc's syscall() is a few register moves then "syscall" (0f 05); nothing before it contains 0f 05.
        for (long i = 0; i + 1 < code.byteSize(); i++) {
            if (code.get(ValueLayout.JAVA_BYTE, i) == 0x0f && code.get(ValueLayout.JAVA_BYTE, i + 1) == 0x05) {
                return i;
            }
        }
        throw new IllegalStateException("no syscall instruction in libc's syscall()");
    }

    @Override
    public void prepareSyscall(RegisterSet regs, ExecAbi abi, long pc, long nr, long... args) {
        regs.set(Reg.PC, pc);
        regs.set(Reg.RESULT, nr);  // both syscall and int 0x80 take the number from rax/eax
        regs.set(Reg.SYSNUM, -1);  // orig_rax = -1: the kernel will not restart an interrupted syscall over ours
        for (int i = 0; i < args.length; i++) {
            regs.setArg(abi, i + 1, args[i]);
        }
    }
}
