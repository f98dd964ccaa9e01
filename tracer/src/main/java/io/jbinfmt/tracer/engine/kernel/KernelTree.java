package io.jbinfmt.tracer.engine.kernel;

import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.ptrace.RootExec;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.ThreadWait;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.spawn.PidNamespaceInit;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.MemorySegment;

/**
 * The kernel engine's whole part in a run: the command's own exec (its exec event: it runs, then it is let go for
 * good; its syscall-exit stop instead: the kernel refused it, and that errno is the spawn's), then the command's
 * end: waited for as our child, or, in a PID namespace of its own, reaped by the namespace's init along with every
 * process left there ({@link PidNamespaceInit#reap}). Nothing of the tree is traced or seen: the kernel's
 * binfmt_misc does every exec. Runs on the session's tracer thread.
 */
public final class KernelTree {
    private final Registers regs;
    private final MemorySegment status;

    /** {@code status}: 4 bytes for wait statuses. */
    public KernelTree(Registers regs, MemorySegment status) {
        this.regs = regs;
        this.status = status;
    }

    /**
     * Follows the command {@code pid} (seized, its execve started under PTRACE_SYSCALL with PTRACE_O_TRACEEXEC) to
     * its end; {@code heldSignal} (one that arrived during set-up) is delivered when it is let go. {@code init}: the
     * init of its PID namespace, its parent (killed, with the namespace, before this returns), or null when the
     * command is our own child.
     */
    public TreeEnd run(int pid, int heldSignal, PidNamespaceInit init) throws ErrnoException {
        try {
            return follow(pid, heldSignal, init);
        } finally {
            if (init != null) {
                init.kill(); // the namespace is empty by now, unless the run ended early: then this ends it
            }
        }
    }

    private TreeEnd follow(int pid, int heldSignal, PidNamespaceInit init) throws ErrnoException {
        StopEvent[] death = new StopEvent[1];
        ThreadWait wait = new ThreadWait(status, d -> death[0] = d);
        int errno;
        try {
            errno = RootExec.await(Arch.host(), wait, regs, pid);
        } catch (ErrnoException gone) {
            if (!gone.isGone()) {
                throw gone;
            }
            return new TreeEnd(death[0], 0, 0, null); // killed before its exec (a signal from outside)
        }
        int held = wait.takeHeldSignal();
        if (errno != 0) {
            if (init == null) {
                Signals.kill(pid, Signals.SIGKILL); // still in our set-up code: it never becomes the command
                awaitEnd(pid);
            }
            return new TreeEnd(null, errno, 0, null);
        }
        Ptrace.detach(pid, held != 0 ? held : heldSignal);
        return new TreeEnd(init == null ? awaitEnd(pid) : init.reap(), 0, 0, null);
    }

    private StopEvent awaitEnd(int pid) throws ErrnoException {
        while (true) {
            int who = Wait.wait(pid, Wait.WALL, status);
            StopEvent end = WaitStatusDecoder.decode(who, Wait.status(status));
            if (end.ended()) {
                return end;
            }
        }
    }
}
