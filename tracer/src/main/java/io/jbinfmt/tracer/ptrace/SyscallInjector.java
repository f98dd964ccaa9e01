package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Ptrace;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Makes a stopped tracee run syscalls of our choosing: point its PC at a syscall instruction, load number and
 * arguments, and step it through the entry and exit stops with PTRACE_SYSCALL. Used on the freshly cloned root,
 * and on a program just exec'd by a rewrite, before it has run an instruction of its own.
 */
public final class SyscallInjector {
    private final Arch arch;
    private final ExecAbi abi;
    private final int pid;
    private final Registers regs;
    private final long syscallPc;
    private final ThreadWait wait;
    private int pendingSignal;

    /**
     * @param abi    the ABI of the tracee's program: its syscall numbers and argument registers
     * @param deaths receives the tracee's death if it dies meanwhile: this class reaped it, so whoever keeps the
     *               books (the event loop) must hear of it
     */
    public SyscallInjector(Arch arch, ExecAbi abi, int pid, Registers regs, long syscallPc, MemorySegment status,
                           Consumer<StopEvent> deaths) {
        this.arch = arch;
        this.abi = abi;
        this.pid = pid;
        this.regs = regs;
        this.syscallPc = syscallPc;
        this.wait = new ThreadWait(status, deaths);
    }

    /** Runs syscall {@code nr}; returns its raw result ({@code -errno} on failure). */
    public long call(long nr, long... args) throws ErrnoException {
        arch.prepareSyscall(regs, abi, syscallPc, nr, args);
        regs.push(pid);
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // entry
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // exit
        regs.fetch(pid);
        return regs.get(Reg.RESULT);
    }

    /**
     * What an injected clone made.
     *
     * @param result the call's raw result: the new process's pid as the caller sees it (in its own PID namespace), or
     *               {@code -errno}
     * @param pid    the new process's pid as we see it (0 when the call failed); it is traced already and reports its
     *               first stop (PTRACE_EVENT_STOP) to us
     */
    public record NewProcess(long result, int pid) {
    }

    /**
     * Runs clone {@code nr} with {@code args} in a tracee that has PTRACE_O_TRACEFORK, so that the new process is
     * traced from birth; its pid as we see it comes from the fork event (PTRACE_GETEVENTMSG into {@code message}, 8
     * bytes): the call's own result is the pid in the caller's PID namespace, which may not be ours.
     */
    public NewProcess fork(long nr, MemorySegment message, long... args) throws ErrnoException {
        arch.prepareSyscall(regs, abi, syscallPc, nr, args);
        regs.push(pid);
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // entry
        Ptrace.syscall(pid, 0);
        int child = 0;
        StopEvent e = wait.await(pid, x -> x instanceof StopEvent.SyscallStop || x instanceof StopEvent.NewChild,
                Resume.TO_SYSCALL_EXIT);
        holdSignal();
        if (e instanceof StopEvent.NewChild) {
            child = (int) Ptrace.eventMessage(pid, message);
            Ptrace.syscall(pid, 0);
            awaitSyscallStop();  // exit
        }
        regs.fetch(pid);
        long result = regs.get(Reg.RESULT);
        if (!arch.isError(result) && child == 0) {
            throw new IllegalStateException("clone in " + pid + " made a process without a fork event: is "
                    + "PTRACE_O_TRACEFORK set?");
        }
        return new NewProcess(result, child);
    }

    /** A signal that arrived while injecting and was held back: deliver it when resuming the tracee. */
    public int pendingSignal() {
        return pendingSignal;
    }

    /**
     * Starts syscall {@code nr} and lets the tracee run on with PTRACE_SYSCALL past its entry stop (for the final
     * execve: the next stop says whether the exec filter saw it, and its exit stop tells the exec's outcome). A
     * signal that arrived meanwhile stays in {@link #pendingSignal}, for the caller to deliver once the exec runs.
     */
    public void startTraced(long nr, long... args) throws ErrnoException {
        arch.prepareSyscall(regs, abi, syscallPc, nr, args);
        regs.push(pid);
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // entry; seccomp comes next
        Ptrace.syscall(pid, 0);
    }

    private void awaitSyscallStop() throws ErrnoException {
        wait.await(pid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
        holdSignal();
    }

    private void holdSignal() {
        int held = wait.takeHeldSignal(); // held back until the command's exec is under way: it could upset setup
        if (held != 0) {
            pendingSignal = held;
        }
    }
}
