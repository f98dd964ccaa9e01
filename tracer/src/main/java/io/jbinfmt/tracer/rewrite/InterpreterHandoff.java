package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.SyscallInjector;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.ProcessCalls;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * An F rule's held interpreter in a thread that execs it by descriptor (execveat(fd, "", AT_EMPTY_PATH)), where
 * our /proc/PID/fd/N does not reach it (a chroot): put there by calls run in the thread (the ptrace engine, which
 * has no SECCOMP_IOCTL_NOTIF_ADDFD: over a socket pair, as {@link DescriptorHandoff} does, close-on-exec), and
 * closed again where its exec does not run or fails, so that the thread, which goes on, keeps nothing of ours.
 * Every call runs on the thread's own syscall instruction, at a stop right after it (the exit stop of a call, or
 * the trap after one); the registers are put back as they were. Used by the tracer thread only.
 */
public final class InterpreterHandoff {
    private final Arch arch;
    private final Registers regs;
    private final MemorySegment status;
    private final Consumer<StopEvent> deaths;
    private final DescriptorHandoff handoff;

    /** @param deaths receives the thread's death if it dies while a call runs (it was reaped then) */
    public InterpreterHandoff(Arch arch, Registers regs, TraceeMemory memory, MemorySegment status,
                              Consumer<StopEvent> deaths) {
        this.arch = arch;
        this.regs = regs;
        this.status = status;
        this.deaths = deaths;
        this.handoff = new DescriptorHandoff(arch, memory, ProcessCalls.getpid());
    }

    /** A descriptor put in a thread: its number there, and a signal that arrived meanwhile (0: none). */
    public record HandedIn(int fd, int signal) {
    }

    /**
     * Puts a copy of our {@code fd} in {@code tid} (making calls of {@code abi}), close-on-exec; its scratch is
     * below the stack pointer, where the exec's argv block goes anyway.
     */
    public HandedIn handIn(int tid, ExecAbi abi, int fd) throws ErrnoException {
        return injected(tid, abi, inject -> {
            long scratch = ArgvPlacement.belowStack(arch, abi, tid, regs.get(Reg.SP), DescriptorHandoff.SCRATCH);
            if (scratch < 0) {
                throw new ErrnoException("no room below the stack pointer to hand in an F interpreter",
                        14 /* EFAULT */);
            }
            return new HandedIn((int) handoff.installCloseOnExec(inject, abi, tid, scratch, fd),
                    inject.pendingSignal());
        });
    }

    /** Closes descriptor {@code fd} of {@code tid}; returns a signal that arrived meanwhile, else 0. */
    public int close(int tid, ExecAbi abi, int fd) throws ErrnoException {
        return injected(tid, abi, inject -> {
            inject.call(abi.calls().close(), fd);
            return inject.pendingSignal();
        });
    }

    /** Calls run in {@code tid}. */
    private interface Calls<T> {
        T run(SyscallInjector inject) throws ErrnoException;
    }

    /**
     * Runs {@code calls} on the thread's own syscall instruction (the one it has just made a call by), with its
     * registers put back as they were afterwards, whatever happens.
     */
    private <T> T injected(int tid, ExecAbi abi, Calls<T> calls) throws ErrnoException {
        regs.fetch(tid);
        byte[] now = regs.snapshot();
        long syscallPc = regs.get(Reg.PC) - abi.calls().instruction().length;
        try {
            return calls.run(new SyscallInjector(arch, abi, tid, regs, syscallPc, status, deaths));
        } finally {
            regs.restore(now);
            regs.push(tid);
        }
    }
}
