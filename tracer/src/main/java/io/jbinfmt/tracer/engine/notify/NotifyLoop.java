package io.jbinfmt.tracer.engine.notify;

import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.ptrace.Resume;
import io.jbinfmt.tracer.ptrace.RootExec;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.ThreadWait;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.rewrite.ExecDecision;
import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.rewrite.InterpreterAliases;
import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rewrite.TracerError;
import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Pidfd;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Poller;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.SeccompNotify;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;

/**
 * The notify engine's loop: the tree's execs arrive as seccomp user notifications on our listener; nothing else
 * of the tree (forks, threads, signals, exits) reaches us. A passthrough is answered CONTINUE, a failure with its
 * errno, and only a rewrite takes the exec'ing thread with ptrace ({@link NotifiedRewrite}) until its exec is
 * done. The root is our tracee from its spawn until its own exec has succeeded, so that a refused command shows
 * as the spawn errno. Runs on the session's tracer thread until POLLHUP on the listener: no process of the tree
 * is left, daemons included.
 */
public final class NotifyLoop implements AutoCloseable {

    private final ExecFilter filter;
    private final RuleSet rules;
    private final ExecListener listener;
    private final TraceeFiles files;
    private final InterpreterAliases aliases;
    private final TraceeMemory memory;
    private final ExecDecision decision;
    private final Registers regs;
    private final NotifiedRewrite rewrites;
    private final ThreadWait rootWait;
    private final SeccompNotify notify;
    /** The listener, the root's pidfd until the root has ended, and the pidfds {@link #outcomes} watches. */
    private final Poller poller = new Poller();
    /** How rewritten processes end, when the listener wants to know; else null. */
    private final NotifiedOutcomes outcomes;
    private final MemorySegment status;
    private final int rootPid;
    private final int rootPidfd;
    private final PrintStream diagnostics;
    /** Deaths reaped while we drove a thread: handled before the next poll. */
    private final Deque<StopEvent> reapedElsewhere = new ArrayDeque<>();

    private int rootHeldSignal;
    private boolean rootLetGo;
    private StopEvent rootEnd;
    /** The root is not ours to reap (its parent is the notify engine's guard) and we no longer trace it. */
    private boolean rootNotOurs;
    private int spawnErrno;
    private int disturbances;

    /**
     * @param listenerFd     the filter's listener (this loop closes it)
     * @param rootPid        the root, seized, its execve past the entry stop, about to notify
     * @param rootHeldSignal a signal held back during the root's set-up, delivered when it is let go
     */
    public NotifyLoop(Arch arch, ExecFilter filter, RuleSet rules, ExecListener listener, int listenerFd,
                      int rootPid, int rootHeldSignal, Path treeCgroup, Arena arena, PrintStream diagnostics,
                      RewriteFaults faults)
            throws ErrnoException {
        this.filter = filter;
        this.rules = rules;
        this.listener = listener;
        this.files = new TraceeFiles(rules);
        this.aliases = new InterpreterAliases(arch);
        this.memory = new TraceeMemory(arena);
        this.decision = new ExecDecision(rules, listener, files, memory);
        this.regs = new Registers(arch, arena);
        this.outcomes = listener != null && listener.wantsOutcomes()
                ? new NotifiedOutcomes(treeCgroup, listener, poller, arena, diagnostics) : null;
        this.rewrites = new NotifiedRewrite(arch, filter.passCookie(), arena, reapedElsewhere::add,
                outcomes == null ? null : outcomes::started, files::reachesOurProc, faults);
        this.status = arena.allocate(4);
        this.rootWait = new ThreadWait(status, reapedElsewhere::add);
        this.notify = new SeccompNotify(listenerFd);
        this.rootPid = rootPid;
        this.rootHeldSignal = rootHeldSignal;
        this.rootPidfd = Pidfd.open(rootPid);
        this.diagnostics = diagnostics;
    }

    /** Runs until no process of the tree is left; returns how the tree ended. */
    public TreeEnd run() throws ErrnoException {
        poller.add(notify.fd());
        poller.add(rootPidfd);
        boolean rootWatched = true;
        while (true) {
            drainDeaths();
            if (rootWatched && (rootEnd != null || rootNotOurs)) {
                poller.remove(rootPidfd);
                rootWatched = false;
            }
            int ready = poller.poll(-1);
            if (ready <= 0) {
                continue;
            }
            int listenerEvents = 0;
            List<Integer> ended = null;
            for (int i = 0; i < poller.count(); i++) {
                int fd = poller.fd(i);
                int events = poller.revents(i);
                if (events == 0) {
                    continue;
                }
                if (fd == notify.fd()) {
                    listenerEvents = events;
                } else if (fd == rootPidfd) {
                    if (rootEnd == null && (events & Poller.IN) != 0) {
                        reapRoot(Wait.WNOHANG);
                    }
                } else {
                    (ended == null ? ended = new ArrayList<>() : ended).add(fd); // removed from the poller there
                }
            }
            if (ended != null) {
                ended.forEach(outcomes::ended);
            }
            if ((listenerEvents & Poller.IN) != 0) {
                SeccompNotify.Notification n = notify.receive();
                if (n != null) {
                    handleQuietly(n);
                }
            } else if ((listenerEvents & (Poller.HUP | Poller.ERR)) != 0) {
                break; // the last process that had our filter has exited
            }
        }
        drainDeaths();
        if (rootEnd == null) {
            reapRoot(0); // it exited (POLLHUP says so); its status may not have been read yet
        }
        if (outcomes != null) {
            outcomes.endAll(); // every process that had the filter has exited
        }
        return new TreeEnd(rootEnd, spawnErrno, disturbances, null);
    }

    private void reapRoot(int flags) throws ErrnoException {
        try {
            int who = Wait.wait(rootPid, Wait.WALL | flags, status);
            if (who == rootPid) {
                StopEvent e = WaitStatusDecoder.decode(who, Wait.status(status));
                if (e.ended()) {
                    rootEnd = e;
                }
            }
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ECHILD.code) {
                throw e;
            } // reaped while we drove it: its death is in reapedElsewhere; or the guard's child, let go
            rootNotOurs = true;
        }
    }

    private void drainDeaths() {
        while (!reapedElsewhere.isEmpty()) {
            StopEvent death = reapedElsewhere.poll();
            if (death.tid() == rootPid) {
                rootEnd = death;
            }
        }
    }

    /** Handles one notification; a failure of ours is logged and the exec let go as asked. */
    private void handleQuietly(SeccompNotify.Notification n) {
        try {
            handle(n);
        } catch (ErrnoException | RuntimeException e) {
            if (e instanceof ErrnoException x && x.isGone()) {
                answerIfStillWaiting(n); // it died meanwhile, or the thread we asked of is not the one that waits
                return;
            }
            disturbances++;
            diagnostics.println("jbinfmt: tracer error at the exec of " + n.pid() + ": " + TracerError.describe(e));
            answerIfStillWaiting(n);
        }
    }

    /** Never leave an exec waiting: after a failure of ours, let it run as asked (a no-op if answered already). */
    private void answerIfStillWaiting(SeccompNotify.Notification n) {
        try {
            notify.answerContinue(n.id());
        } catch (ErrnoException ignored) {
            // answered already, or gone
        }
    }

    private void handle(SeccompNotify.Notification n) throws ErrnoException {
        boolean rootExec = n.pid() == rootPid && !rootLetGo;
        ExecFilter.Traced traced = filter.traced(n.arch(), n.nr());
        ExecDecision.Decided decided = decision.decide(n.pid(), traced, n.args());
        ExecRequest request = decided == null ? null : decided.request();
        ExecPlan plan = decided == null ? new ExecPlan.Passthrough() : decided.plan();
        if (request != null && (listener != null || rootExec || plan instanceof ExecPlan.Rewrite)
                && !notify.valid(n.id())) {
            // the caller died while we read it (its pid may even be reused): nothing to answer, nothing to tell the
            // listener or to record as the command's refusal, and above all no thread to seize by that pid. An
            // answer to a caller gone is refused (ENOENT) and harms nothing, so otherwise a passthrough or a
            // failure is answered unchecked: one system call less for every exec a rule is looked up for.
            if (plan instanceof ExecPlan.Rewrite r) {
                release(r);
            }
            return;
        }
        if (listener != null && request != null && !(plan instanceof ExecPlan.Rewrite)) {
            listener.onExec(request, plan); // a rewrite's is told once it is under way, or has failed
        }
        switch (plan) {
            case ExecPlan.Passthrough x -> {
                notify.answerContinue(n.id());
                if (rootExec) {
                    watchRootExec();
                }
            }
            case ExecPlan.Fail f -> {
                notify.answerError(n.id(), f.errno());
                if (rootExec) {
                    refused(f.errno());
                }
            }
            case ExecPlan.Rewrite r -> rewrite(n, request, r, rootExec);
        }
    }

    private void rewrite(SeccompNotify.Notification n, ExecRequest request, ExecPlan.Rewrite r, boolean root)
            throws ErrnoException {
        NotifiedRewrite.Finished done;
        try {
            // the process name given by the name it is exec'd by, where that can be: no prctl to run in it; an F
            // interpreter outside the thread's root handed in and exec'd by descriptor
            done = rewrites.run(notify, n, request, aliases.apply(r, files.sharesOurFiles(request.tid())), root,
                    (files.ignoredSignals(request.tid()) & (1L << (Signals.SIGTRAP - 1))) == 0,
                    files.heldInterpreter(request.tid(), r), files.blockedSignals(request.tid()));
        } catch (NotifiedRewrite.RewriteFailed e) {
            // cleaned up already: the exec failed with one errno, or its new program runs untouched
            done = e.finished();
            disturbances++;
            String outcome = done.tid() < 0 ? "it died meanwhile" : done.result() == 0
                    ? "the program runs without its touch-ups" : "the exec fails with " + Errno.name((int) -done.result());
            diagnostics.println("jbinfmt: tracer error at the exec of " + n.pid() + " (" + outcome + "): "
                    + TracerError.describe(e.getCause()));
        } catch (ExecFailure e) {
            // another tracer holds the thread: it gets what the kernel answers for a format it cannot run, and
            // the log (-v) says why
            if (listener != null) {
                listener.onExec(request, new ExecPlan.Fail(e.errno(), "cannot rewrite by " + ruleNames(r) + ": "
                        + e.getMessage()));
            }
            notify.answerError(n.id(), e.errno());
            if (root) {
                refused(e.errno());
            }
            return;
        } finally {
            release(r);
        }
        if (listener != null) {
            listener.onExec(request, r);
        }
        if (root && done.tid() >= 0) {
            if (done.result() != 0) {
                refused((int) -done.result());
            } else {
                rootLetGo = true;
            }
        }
    }

    /**
     * The root's own exec was let through: its exec event and exit stop say whether it runs (then it is let go
     * for good) or what the kernel refused it with.
     */
    private void watchRootExec() throws ErrnoException {
        int errno;
        try {
            errno = RootExec.await(Arch.host(), rootWait, regs, rootPid);
            if (errno == 0) {
                Ptrace.syscall(rootPid, 0); // on to the exec's exit stop, where it is let go
                rootWait.await(rootPid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
            }
        } catch (ErrnoException e) {
            if (e.isGone()) {
                return; // killed meanwhile: its death is in reapedElsewhere
            }
            throw e;
        }
        int held = rootWait.takeHeldSignal();
        if (errno != 0) {
            refused(errno);
            return;
        }
        rootLetGo = true;
        Ptrace.detach(rootPid, held != 0 ? held : rootHeldSignal);
    }

    /** The command itself could not be exec'd: record why and end it (it is stopped, still in our set-up code). */
    private void refused(int errno) {
        spawnErrno = errno == 0 ? Errno.ENOEXEC.code : errno;
        rootLetGo = true;
        try {
            Signals.kill(rootPid, Signals.SIGKILL);
        } catch (ErrnoException ignored) {
            // gone already
        }
    }

    private static String ruleNames(ExecPlan.Rewrite r) {
        return String.join(", ", r.applied().stream().map(rule -> rule.name()).toList());
    }

    private void release(ExecPlan.Rewrite plan) {
        if (plan.openBinary() != null) {
            files.release(plan.openBinary());
        }
    }

    /** Closes the listener and what was held for execs; call once {@link #run} has returned. */
    @Override
    public void close() {
        if (outcomes != null) {
            outcomes.close();
        }
        poller.close();
        files.close();
        aliases.close();
        notify.close();
        FileCalls.close(rootPidfd);
    }
}
