package io.jbinfmt.tracer.engine.ptrace;

import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.ptrace.Resume;
import io.jbinfmt.tracer.ptrace.RootExec;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.StopObserver;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rewrite.TracerError;
import io.jbinfmt.tracer.outcome.OutcomeBook;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.ResourceUsage;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The tracer's main loop: wait for any of our tracees, classify the stop, handle it, restart the tracee.
 * Runs on the session's tracer thread until no tracee is left (every process of the tree, daemons included,
 * has ended). Handlers return a {@link Resume}; this is the only place that restarts tracees after their stop
 * and forgets dead ones.
 */
public final class EventLoop {
    private final Arch arch;
    private final ExecFilter filter;
    private final ExecInterceptor execs;
    /** Deaths reaped outside this loop (while the interceptor waited on a tracee): dispatched first. */
    private final Deque<StopEvent> reapedElsewhere = new ArrayDeque<>();
    private final TraceeTable table;
    private final int rootPid;
    private final MemorySegment status;
    private final MemorySegment message;
    private final Registers regs;
    private final PrintStream diagnostics;
    private final StopObserver observer;
    private final ExecListener listener;
    /** Rewritten processes not yet ended, when the listener wants outcomes; else null. */
    private final OutcomeBook book;
    /** What the main wait reports of a process that ended (null: outcomes not wanted). */
    private final MemorySegment usage;
    /** Whether {@link #usage} belongs to the event being dispatched (deaths reaped elsewhere have none). */
    private boolean usageFresh;

    private StopEvent rootEnd;
    private int spawnErrno;
    private int disturbances;
    /** Why the command was never let run: its exec passed our filter unseen. */
    private String shadowed;
    /** A signal held back during the root's set-up, delivered once its exec has succeeded. */
    private final int rootHeldSignal;

    /**
     * @param rootPid        the root, seized, its execve past the entry stop under PTRACE_SYSCALL
     * @param rootHeldSignal a signal held back during its set-up (0: none)
     */
    public EventLoop(Arch arch, ExecFilter filter, RuleSet rules, ExecListener listener, TraceeTable table,
                     int rootPid, int rootHeldSignal, Arena arena, PrintStream diagnostics, StopObserver observer,
                     RewriteFaults faults) {
        this.rootHeldSignal = rootHeldSignal;
        this.arch = arch;
        this.filter = filter;
        boolean outcomes = listener != null && listener.wantsOutcomes();
        this.listener = listener;
        this.book = outcomes ? new OutcomeBook(System::nanoTime) : null;
        this.usage = outcomes ? ResourceUsage.allocate(arena) : null;
        this.execs = new ExecInterceptor(arch, rules, listener, arena, reapedElsewhere::add,
                outcomes ? this::rewriteStarted : null, faults);
        this.table = table;
        this.rootPid = rootPid;
        this.status = arena.allocate(4);
        this.message = arena.allocate(8);
        this.regs = new Registers(arch, arena);
        this.diagnostics = diagnostics;
        this.observer = observer;
    }

    /** Runs until no tracee is left; returns how the tree ended. */
    public TreeEnd run() throws ErrnoException {
        while (true) {
            usageFresh = false;
            while (!reapedElsewhere.isEmpty()) {
                dispatchQuietly(reapedElsewhere.poll());
            }
            int tid;
            try {
                tid = Wait.wait(-1, Wait.WALL | Wait.WNOTHREAD, status, usage);
                usageFresh = true;
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECHILD.code) {
                    return shadowed != null ? TreeEnd.refused(shadowed)
                            : new TreeEnd(rootEnd, spawnErrno, disturbances, null);
                }
                throw e;
            }
            dispatchQuietly(WaitStatusDecoder.decode(tid, Wait.status(status)));
        }
    }

    /**
     * Handles one stop. Nothing that goes wrong here may end the loop: that would leave the whole tree stopped
     * (or, with EXITKILL, kill it). An error is logged with the tracee's registers and the tracee restarted.
     */
    private void dispatchQuietly(StopEvent event) {
        if (observer != null) {
            try {
                observer.beforeHandling(event);
            } catch (RuntimeException e) {
                disturbed(event, "the stop observer failed: " + e, false);
            }
        }
        try {
            Resume resume = dispatch(event);
            if (resume != null) {
                apply(event.tid(), resume);
            }
        } catch (ErrnoException e) {
            if (!e.isGone()) {
                disturbed(event, e.getMessage(), true);
            }
            // ESRCH: the tracee was killed while stopped; its death is reported by a later wait.
        } catch (ExecInterceptor.RewriteFailure e) {
            disturbed(event, e.getMessage(), true); // cleaned up: resumed as it stands
        } catch (RuntimeException e) {
            // a bug of ours: say where, keep going
            disturbed(event, TracerError.describe(e), true);
        }
    }

    /** A rewritten exec of {@code pid} has succeeded: its record starts (and an earlier one of it ends). */
    private void rewriteStarted(int pid, int execTid, ExecPlan.Rewrite plan) {
        ProcessOutcome before = book.started(pid, execTid, plan.filename(), plan.applied());
        if (before != null) {
            listener.onOutcome(before);
        }
    }

    /** Releases what the loop held for its execs; call once {@link #run} has returned. */
    public void close() {
        execs.close();
    }

    /** Handles one stop; returns how to restart the tracee, or null when there is nothing to restart. */
    private Resume dispatch(StopEvent event) throws ErrnoException {
        return switch (event) {
            case StopEvent.Exited e -> ended(e);
            case StopEvent.Killed k -> ended(k);
            case StopEvent.Seccomp s -> onSeccomp(table.lookupOrCreate(s.tid()));
            case StopEvent.SyscallStop s -> onSyscallStop(table.lookupOrCreate(s.tid()));
            case StopEvent.NewChild c -> {
                if (c.event() == Ptrace.EVENT_CLONE) {
                    // a thread (or an odd clone): both may now exec from a multi-threaded process
                    table.lookupOrCreate(c.tid()).markThreaded();
                    table.lookupOrCreate((int) Ptrace.eventMessage(c.tid(), message)).markThreaded();
                }
                yield Resume.CONTINUE; // a forked child registers at its own first stop
            }
            case StopEvent.Exec x -> onExec(x.tid());
            case StopEvent.GroupStop g -> {
                table.lookupOrCreate(g.tid());
                yield Resume.LISTEN;
            }
            case StopEvent.Interrupted i -> {
                table.lookupOrCreate(i.tid());
                yield Resume.CONTINUE;
            }
            case StopEvent.Signal s -> {
                table.lookupOrCreate(s.tid());
                yield Resume.delivering(s.signal());
            }
            case StopEvent.OtherEvent o -> {
                disturbed(o, "a ptrace event that was never enabled", true);
                yield null; // disturbed() restarted it
            }
        };
    }

    private void apply(int tid, Resume resume) throws ErrnoException {
        switch (resume) {
            case Resume.Continue c -> Ptrace.cont(tid, c.signal());
            case Resume.ToSyscallExit s -> Ptrace.syscall(tid, 0);
            case Resume.Listen l -> Ptrace.listen(tid);
        }
    }

    private Resume ended(StopEvent end) {
        if (book != null && book.tracks(end.tid())) {
            // a rewritten process's leader: reported once its whole thread group is gone
            int waitStatus = switch (end) {
                case StopEvent.Exited e -> (e.code() & 0xff) << 8;
                case StopEvent.Killed k -> k.signal() | (k.coreDumped() ? 0x80 : 0);
                default -> -1;
            };
            boolean measured = usageFresh;
            ProcessOutcome o = book.ended(end.tid(), waitStatus,
                    measured ? ResourceUsage.userMicros(usage) : -1, measured ? ResourceUsage.sysMicros(usage) : -1,
                    measured ? ResourceUsage.maxRssKb(usage) : -1);
            listener.onOutcome(o);
        }
        Tracee t = table.remove(end.tid());
        if (t != null) {
            execs.forget(t);
        }
        if (end.tid() == rootPid) {
            rootEnd = end;
        }
        return null;
    }

    private Resume onSeccomp(Tracee t) throws ErrnoException {
        Resume resume = Resume.CONTINUE;
        if (execs.active()) {
            ExecFilter.Traced traced = filter.decode(Ptrace.eventMessage(t.tid(), message));
            try {
                resume = execs.onEntry(t, traced);
            } catch (ExecInterceptor.RewriteFailure e) {
                if (t.phase() != Tracee.Phase.SPAWNING) {
                    throw e;
                }
                // the command's own exec fails with the errno set: its exit stop below says so
                disturbed(new StopEvent.Seccomp(t.tid()), e.getMessage(), false);
            }
        }
        if (t.phase() == Tracee.Phase.SPAWNING) {
            // The command's own exec: watch its exit stop, where a failure (ENOENT, EACCES, ...) shows.
            t.phase(Tracee.Phase.SPAWN_EXEC_ENTERED);
            resume = Resume.TO_SYSCALL_EXIT;
        }
        return resume;
    }

    private Resume onSyscallStop(Tracee t) throws ErrnoException {
        Resume resume = Resume.CONTINUE; // PTRACE_CONT also ends syscall tracing
        if (t.phase() == Tracee.Phase.SPAWNING) {
            // The root's exec reached its exit stop without a stop at our filter: a filter up the tree (a seccomp
            // listener: jbinfmt under jbinfmt's notify engine) takes precedence over our TRACE. Nothing of the tree
            // would be seen; the command must not run.
            shadowed = "jbinfmt's exec filter never sees this tree's execs: a seccomp listener up the process tree"
                    + " (an outer jbinfmt's notify engine, or a container that intercepts exec) takes them first";
            t.phase(Tracee.Phase.RUNNING);
            Signals.kill(t.tid(), Signals.SIGKILL);
            return Resume.CONTINUE;
        }
        if (t.rewrite() != null) {
            resume = execs.onExit(t);
        } else if (t.phase() != Tracee.Phase.SPAWN_EXEC_ENTERED) {
            // we only ask for syscall stops around an exec we watch: this one is impossible
            disturbed(new StopEvent.SyscallStop(t.tid()), "a syscall stop nobody asked for", true);
            return null; // disturbed() restarted it
        }
        if (t.phase() == Tracee.Phase.SPAWN_EXEC_ENTERED) {
            // The exit stop of the command's own exec: 0 means it runs; -errno means the kernel refused it.
            regs.fetch(t.tid());
            long result = regs.get(Reg.RESULT);
            t.phase(Tracee.Phase.RUNNING);
            if (result != 0) {
                spawnErrno = RootExec.errno(arch, result);
                Signals.kill(t.tid(), Signals.SIGKILL);
            } else if (resume instanceof Resume.Continue c && c.signal() == 0 && rootHeldSignal != 0) {
                resume = Resume.delivering(rootHeldSignal);
            }
        }
        return resume;
    }

    /**
     * Only seen while a rewritten exec runs with PTRACE_O_TRACEEXEC: its exit stop must still follow. A non-leader
     * thread that exec'd carries on under the leader's tid, its state (the rewrite in flight) with it.
     */
    private Resume onExec(int tid) throws ErrnoException {
        int former = (int) Ptrace.eventMessage(tid, message);
        Tracee t = former == tid ? table.lookupOrCreate(tid) : table.rekeyOnExec(former, tid);
        execs.onExecEvent(t);
        return t.rewrite() != null || t.phase() == Tracee.Phase.SPAWN_EXEC_ENTERED ? Resume.TO_SYSCALL_EXIT
                : Resume.CONTINUE;
    }

    /** Logs a tracer error with the tracee's registers; {@code restart}: then resume the tracee. */
    private void disturbed(StopEvent event, String what, boolean restart) {
        disturbances++;
        diagnostics.println("jbinfmt: tracer error at " + event + ": " + what); // each StopEvent names its tid
        if (event.ended()) {
            return; // nothing left to show or restart
        }
        try {
            regs.fetch(event.tid());
            diagnostics.printf("jbinfmt:   pc=0x%x sp=0x%x sysnum=%d result=%d%n", regs.get(Reg.PC), regs.get(Reg.SP),
                    regs.get(Reg.SYSNUM), regs.get(Reg.RESULT));
        } catch (ErrnoException e) {
            diagnostics.println("jbinfmt:   registers unavailable: " + e.getMessage());
        }
        if (!restart) {
            return;
        }
        try {
            switch (event) {
                case StopEvent.Signal sig -> Ptrace.cont(sig.tid(), sig.signal()); // the signal is not lost
                case StopEvent.GroupStop g -> Ptrace.listen(g.tid());
                default -> Ptrace.cont(event.tid(), 0);
            }
        } catch (ErrnoException ignored) {
            // not stopped any more (the failed handler restarted it already), or gone
        }
    }
}
