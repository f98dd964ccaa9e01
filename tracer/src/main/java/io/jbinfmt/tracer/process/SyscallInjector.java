package io.jbinfmt.tracer.process;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.event.Resume;
import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.ThreadWait;
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

    /** A signal that arrived while injecting and was held back: deliver it when resuming the tracee. */
    public int pendingSignal() {
        return pendingSignal;
    }

    /**
     * Starts syscall {@code nr} and lets the tracee run on with PTRACE_SYSCALL past its entry stop (for the final
     * execve: the next stop says whether the exec filter saw it, and its exit stop tells the exec's outcome). A
     * signal that arrived meanwhile stays in {@link #pendingSignal}, for the caller to deliver once the exec runs.
     */
    void startTraced(long nr, long... args) throws ErrnoException {
        arch.prepareSyscall(regs, abi, syscallPc, nr, args);
        regs.push(pid);
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // entry; seccomp comes next
        Ptrace.syscall(pid, 0);
    }

    private void awaitSyscallStop() throws ErrnoException {
        wait.await(pid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
        int held = wait.takeHeldSignal(); // held back until the command's exec is under way: it could upset setup
        if (held != 0) {
            pendingSignal = held;
        }
    }
}
