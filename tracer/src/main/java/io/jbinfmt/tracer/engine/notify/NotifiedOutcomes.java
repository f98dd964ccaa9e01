package io.jbinfmt.tracer.engine.notify;

import io.jbinfmt.tracer.ptrace.ZombieStatus;

import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.outcome.OutcomeBook;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.host.ProcessCgroups;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Pidfd;
import io.jbinfmt.tracer.sys.Poller;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The notify engine's view of how rewritten processes end, when outcomes are asked for: each is watched through a
 * pidfd (in the loop's poll set) and moved, while still stopped after its exec, into a cgroup of its own
 * ({@link ProcessCgroups}) for its CPU time. At its end the pidfd gives its wait status even after its parent
 * reaped it (PIDFD_INFO_EXIT); its group gives the CPU time. Peak RSS is not measured by this engine.
 */
final class NotifiedOutcomes implements AutoCloseable {
    private record Watched(int pid, int pidfd, ProcessCgroups.Group group) {
    }

    /** How many times, a millisecond apart, to look for the status of a process caught while being reaped. */
    private static final int STATUS_ATTEMPTS = 20;

    private final OutcomeBook book = new OutcomeBook(System::nanoTime);
    private final Map<Integer, Watched> byPidfd = new HashMap<>();
    private final ProcessCgroups groups;
    private final ExecListener listener;
    private final Poller poller;
    private final MemorySegment info;
    private final PrintStream diagnostics;

    NotifiedOutcomes(Path tree, ExecListener listener, Poller poller, Arena arena, PrintStream diagnostics) {
        this.groups = tree == null ? null : new ProcessCgroups(tree); // no cgroup: no CPU times
        this.listener = listener;
        this.poller = poller;
        this.info = arena.allocate(64, 8);
        this.diagnostics = diagnostics;
    }

    /**
     * Process {@code pid} has just exec'd the rewritten program of {@code plan} and is stopped (not yet let go),
     * so that everything it starts is born in its group.
     */
    void started(int pid, int execTid, ExecPlan.Rewrite plan) {
        ProcessOutcome before = book.started(pid, execTid, plan.filename(), plan.applied());
        if (before != null) {
            listener.onOutcome(before); // same process, same pidfd and group: its CPU goes on counting there
            return;
        }
        ProcessCgroups.Group group = null;
        try {
            group = groups == null ? null : groups.adopt(pid);
        } catch (ErrnoException e) {
            group = null; // its CPU time goes unmeasured, its end is still seen
            diagnostics.println("jbinfmt: cannot give process " + pid + " a cgroup for its CPU time: "
                    + e.getMessage());
        }
        int pidfd;
        try {
            pidfd = Pidfd.open(pid);
        } catch (ErrnoException e) {
            // stopped by us, so alive: a failure here is ours (out of descriptors); its end goes unrecorded
            diagnostics.println("jbinfmt: cannot watch process " + pid + " for its end: " + e.getMessage());
            book.ended(pid, -1, -1, -1, -1);
            if (group != null) {
                groups.release(group);
            }
            return;
        }
        Watched w = new Watched(pid, pidfd, group);
        byPidfd.put(pidfd, w);
        poller.add(pidfd);
    }

    /** The process of pidfd {@code fd} has ended (the pidfd polled readable): its record. */
    void ended(int fd) {
        Watched w = byPidfd.remove(fd);
        if (w == null) {
            return;
        }
        poller.remove(fd);
        int status = exitStatus(w.pid, fd);
        FileCalls.close(fd);
        long[] cpu = w.group == null ? null : groups.release(w.group);
        ProcessOutcome o = book.ended(w.pid, status, cpu == null ? -1 : cpu[0], cpu == null ? -1 : cpu[1], -1);
        if (o != null) {
            listener.onOutcome(o);
        }
    }

    /**
     * The wait status of a process whose pidfd polled readable: it is a zombie, or reaped already. The pidfd says
     * it once the process has been reaped (the kernel records it then); before that, /proc/PID/stat says it (field
     * 52). Read in that order and checked again, so that /proc is only believed while the pid cannot have been
     * reused. -1 when neither can say (a kernel before 6.15, once reaped).
     */
    private int exitStatus(int pid, int pidfd) {
        for (int attempt = 0; attempt < STATUS_ATTEMPTS; attempt++) {
            int status = Pidfd.exitStatus(pidfd, info);
            if (status >= 0) {
                return status;
            }
            int zombie = ZombieStatus.read(pid);
            status = Pidfd.exitStatus(pidfd, info);
            if (status >= 0 || zombie >= 0) {
                return status >= 0 ? status : zombie;
            }
            // neither: caught while being reaped (gone from /proc, its status not yet recorded in the pidfd; seen
            // under load), or a kernel without PIDFD_INFO_EXIT: look again shortly, a bounded number of times
            LockSupport.parkNanos(1_000_000);
        }
        return -1;
    }

    /** The tree has ended: every process watched has too. */
    void endAll() {
        for (Integer fd : byPidfd.keySet().toArray(Integer[]::new)) {
            ended(fd);
        }
    }

    @Override
    public void close() {
        for (Watched w : byPidfd.values()) {
            FileCalls.close(w.pidfd);
        }
        byPidfd.clear();
        if (groups != null) {
            groups.close();
        }
    }
}
