package io.jbinfmt.tracer.event;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.exec.ExecPolicy;
import io.jbinfmt.tracer.exec.ExecStop;
import io.jbinfmt.tracer.process.Tracee;
import io.jbinfmt.tracer.process.TraceeTable;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The tracer's main loop: wait for any of our tracees, classify the stop, handle it, restart the tracee.
 * Runs on the session's tracer thread until no tracee is left (every process of the tree, daemons included,
 * has ended). This is the only place that restarts tracees and forgets dead ones.
 */
public final class EventLoop {
    private final Arch arch;
    private final ExecFilter filter;
    private final ExecPolicy policy;
    private final TraceeTable table;
    private final int rootPid;
    private final MemorySegment status;
    private final MemorySegment message;
    private final Registers regs;
    private final PrintStream diagnostics;

    private StopEvent rootEnd;
    private int spawnErrno;
    private int disturbances;

    public EventLoop(Arch arch, ExecFilter filter, ExecPolicy policy, TraceeTable table, int rootPid, Arena arena,
                     PrintStream diagnostics) {
        this.arch = arch;
        this.filter = filter;
        this.policy = policy;
        this.table = table;
        this.rootPid = rootPid;
        this.status = arena.allocate(4);
        this.message = arena.allocate(8);
        this.regs = new Registers(arch, arena);
        this.diagnostics = diagnostics;
    }

    /** Runs until no tracee is left. */
    public void run() throws ErrnoException {
        while (true) {
            int tid;
            try {
                tid = Wait.wait(-1, Wait.WALL | Wait.WNOTHREAD, status);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECHILD.code) {
                    return;
                }
                throw e;
            }
            StopEvent event = WaitStatusDecoder.decode(tid, Wait.status(status));
            try {
                dispatch(event);
            } catch (ErrnoException e) {
                if (!e.isGone()) {
                    disturbed(event, e);
                }
                // ESRCH: the tracee was killed while stopped; its death is reported by a later wait.
            }
        }
    }

    /** The root process's end: {@link StopEvent.Exited} or {@link StopEvent.Killed}, null if never seen. */
    public StopEvent rootEnd() {
        return rootEnd;
    }

    /** The errno of the command's own exec when the kernel refused it, else 0. */
    public int spawnErrno() {
        return spawnErrno;
    }

    /** How many unexpected tracer errors were logged (0 for an undisturbed run). */
    public int disturbances() {
        return disturbances;
    }

    private void dispatch(StopEvent event) throws ErrnoException {
        switch (event) {
            case StopEvent.Exited e -> ended(e);
            case StopEvent.Killed k -> ended(k);
            case StopEvent.Seccomp s -> onSeccomp(table.lookupOrCreate(s.tid()));
            case StopEvent.SyscallStop s -> onSyscallStop(table.lookupOrCreate(s.tid()));
            case StopEvent.NewChild c -> Ptrace.cont(c.tid(), 0); // the child registers at its own first stop
            case StopEvent.Exec x -> onExec(x.tid());
            case StopEvent.GroupStop g -> {
                table.lookupOrCreate(g.tid());
                Ptrace.listen(g.tid());
            }
            case StopEvent.Interrupted i -> {
                table.lookupOrCreate(i.tid());
                Ptrace.cont(i.tid(), 0);
            }
            case StopEvent.Signal s -> {
                table.lookupOrCreate(s.tid());
                Ptrace.cont(s.tid(), s.signal());
            }
            case StopEvent.OtherEvent o -> Ptrace.cont(o.tid(), 0);
        }
    }

    private void ended(StopEvent end) {
        table.remove(end.tid());
        if (end.tid() == rootPid) {
            rootEnd = end;
        }
    }

    private void onSeccomp(Tracee t) throws ErrnoException {
        ExecFilter.Traced traced = filter.decode(Ptrace.eventMessage(t.tid(), message));
        if (traced != null) {
            policy.onExec(new ExecStop(t.tid(), traced));
        }
        if (t.phase() == Tracee.Phase.SPAWNING) {
            // The command's own exec: watch its exit stop, where a failure (ENOENT, EACCES, ...) shows.
            t.phase(Tracee.Phase.SPAWN_EXEC_ENTERED);
            Ptrace.syscall(t.tid(), 0);
        } else {
            Ptrace.cont(t.tid(), 0);
        }
    }

    private void onSyscallStop(Tracee t) throws ErrnoException {
        if (t.phase() == Tracee.Phase.SPAWN_EXEC_ENTERED) {
            // The exit stop of the command's own exec: 0 means it runs; -errno means the kernel refused it.
            regs.fetch(t.tid());
            long result = regs.get(Reg.RESULT);
            t.phase(Tracee.Phase.RUNNING);
            if (result != 0) {
                spawnErrno = arch.isError(result) ? (int) -result : Errno.ENOEXEC.code;
                Signals.kill(t.tid(), Signals.SIGKILL);
            }
        }
        Ptrace.cont(t.tid(), 0); // PTRACE_CONT also ends syscall tracing
    }

    private void onExec(int tid) throws ErrnoException {
        int former = (int) Ptrace.eventMessage(tid, message);
        if (former != tid) {
            table.rekeyOnExec(former, tid);
        }
        Ptrace.cont(tid, 0);
    }

    private void disturbed(StopEvent event, ErrnoException e) {
        disturbances++;
        diagnostics.println("jbinfmt: tracer error at " + event + ": " + e.getMessage());
        try {
            regs.fetch(event.tid());
            diagnostics.printf("jbinfmt:   pc=0x%x sp=0x%x sysnum=%d result=%d%n", regs.get(Reg.PC), regs.get(Reg.SP),
                    regs.get(Reg.SYSNUM), regs.get(Reg.RESULT));
            Ptrace.cont(event.tid(), 0);
        } catch (ErrnoException ignored) {
            // not stopped any more, or gone: nothing more to show or restart
        }
    }
}
