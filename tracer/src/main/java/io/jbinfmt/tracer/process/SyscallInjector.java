package io.jbinfmt.tracer.process;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.WaitStatusDecoder;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.MemorySegment;

/**
 * Makes a stopped tracee run syscalls of our choosing: point its PC at a syscall instruction, load number and
 * arguments, and step it through the entry and exit stops with PTRACE_SYSCALL. Used only on the freshly cloned
 * root, which runs nothing of its own in between.
 */
final class SyscallInjector {
    private final Arch arch;
    private final int pid;
    private final Registers regs;
    private final long syscallPc;
    private final MemorySegment status;
    private int pendingSignal;

    SyscallInjector(Arch arch, int pid, Registers regs, long syscallPc, MemorySegment status) {
        this.arch = arch;
        this.pid = pid;
        this.regs = regs;
        this.syscallPc = syscallPc;
        this.status = status;
    }

    /** Runs syscall {@code nr}; returns its raw result ({@code -errno} on failure). */
    long call(long nr, long... args) throws ErrnoException, SpawnException {
        arch.prepareSyscall(regs, syscallPc, nr, args);
        regs.push(pid);
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // entry
        Ptrace.syscall(pid, 0);
        awaitSyscallStop();      // exit
        regs.fetch(pid);
        return regs.get(Reg.RESULT);
    }

    /**
     * Starts syscall {@code nr} and lets the tracee run on with PTRACE_CONT (for the final execve, whose seccomp
     * stop the event loop then handles). A signal that arrived meanwhile is delivered now.
     */
    void startAndRelease(long nr, long... args) throws ErrnoException {
        arch.prepareSyscall(regs, syscallPc, nr, args);
        regs.push(pid);
        Ptrace.cont(pid, pendingSignal);
    }

    private void awaitSyscallStop() throws ErrnoException, SpawnException {
        while (true) {
            int tid = Wait.wait(pid, Wait.WALL, status);
            StopEvent e = WaitStatusDecoder.decode(tid, Wait.status(status));
            switch (e) {
                case StopEvent.SyscallStop s -> {
                    return;
                }
                case StopEvent.Exited x -> throw new SpawnException(
                        "the traced process exited (" + x.code() + ") while being set up", 0);
                case StopEvent.Killed k -> throw new SpawnException(
                        "the traced process was killed by signal " + k.signal() + " while being set up", 0);
                case StopEvent.Signal s -> {
                    // Hold it back until the command's exec is under way; delivering it now could interrupt setup.
                    pendingSignal = s.signal();
                    Ptrace.syscall(pid, 0);
                }
                default -> Ptrace.syscall(pid, 0);
            }
        }
    }
}
