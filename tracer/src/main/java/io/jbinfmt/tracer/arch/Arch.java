package io.jbinfmt.tracer.arch;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Everything the tracer must know about one host architecture: the register set layout, syscall
 * numbers, how to borrow a syscall instruction, and the ABIs its seccomp filter must cover.
 */
public sealed interface Arch permits X86_64 {

    /** The architecture this JVM runs on; the only one whose processes we can trace. */
    static Arch host() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> X86_64.INSTANCE;
            default -> throw new UnsupportedOperationException("jbinfmt does not support host architecture " + arch
                    + " yet (supported: x86_64)");
        };
    }

    String name();

    /** Byte size of the NT_PRSTATUS register set. */
    int registerSetSize();

    /** Byte offset of {@code reg} in the NT_PRSTATUS register set. */
    int offset(Reg reg);

    /** The ABIs a process on this host may use, the native one first. */
    List<ExecAbi> abis();

    /** The native ABI. */
    default ExecAbi nativeAbi() {
        return abis().getFirst();
    }

    /**
     * Whether registers are read and written with PTRACE_GETREGS/SETREGS, which show every tracee in the tracer's
     * own layout, rather than GETREGSET, which shows a compat (i386) tracee in its own smaller layout.
     */
    boolean registersInTracerLayout();

    /** The ABI of the program the stopped tracee whose registers these are runs (after an exec: the new one). */
    ExecAbi imageAbi(RegisterSet regs);

    /** Whether the kernel's own ELF loader runs programs of ELF machine {@code elfMachine} on this host. */
    boolean loadsElf(int elfMachine);

    /** Syscall numbers (native ABI) of the calls the spawner injects. */
    int prctl();

    int seccomp();

    int closeRange();

    int rtSigprocmask();

    int chdir();

    int dup3();

    /** Syscall numbers (native ABI) the kernel engine injects to set up a private binfmt_misc. */
    int unshare();

    int setns();

    int mount();

    int write();

    /** read(2), native ABI: the tracer reads the notify engine's guard's report with it. */
    int read();

    /**
     * The notify engine's guard ({@code process/TreeGuard}): memfd_create, socketpair and shutdown for the tracer,
     * fcntl and setpgid injected into the guard; native ABI, not among the generated SYS_* constants.
     */
    int memfdCreate();

    int socketpair();

    int shutdown();

    int fcntl();

    int setpgid();

    int close();

    /** sendmsg(2), native ABI: the tracer's end of {@code exec.DescriptorHandoff}. */
    int sendmsg();

    /** capget(2) and capset(2), native ABI: the tracer thread checks a file access with a tracee's capabilities. */
    int capget();

    int capset();

    /** statx(2), native ABI: whether a tracee's root is ours is asked by mount and inode. */
    int statx();

    /** mkdirat(2) and unlinkat(2), native ABI: the per-process cgroups of outcomes are made and removed with them. */
    int mkdirat();

    int unlinkat();

    /**
     * Syscall numbers (native ABI) that drive the kernel engine's PID namespace init: clone(2) (named so as not to
     * clash with Object.clone), wait4, rt_sigaction.
     */
    int cloneProcess();

    int wait4();

    int rtSigaction();

    /** The machine code of one syscall instruction (x86_64: 0f 05); the PC is just past it at a syscall stop. */
    byte[] syscallInstruction();

    /** Bytes below the stack pointer that the ABI lets leaf functions use without moving it. */
    int redZone();

    /**
     * The offset in {@code code} of the first syscall instruction, for injection; {@code code} is the start of
     * libc's {@code syscall()} function.
     */
    long findSyscallInstruction(MemorySegment code);

    /**
     * Sets {@code regs} so that resuming the tracee executes syscall {@code nr} of {@code abi} with {@code args}
     * via the syscall instruction at {@code pc}, and so that no interrupted syscall is restarted instead.
     */
    void prepareSyscall(RegisterSet regs, ExecAbi abi, long pc, long nr, long... args);

    /** True when a syscall result register value encodes an error (-4095..-1). */
    default boolean isError(long result) {
        return result < 0 && result >= -4095;
    }
}
