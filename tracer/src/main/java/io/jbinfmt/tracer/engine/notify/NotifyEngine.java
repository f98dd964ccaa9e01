package io.jbinfmt.tracer.engine.notify;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.engine.RootSpawn;
import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.host.TreeCgroup;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.spawn.TreeGuard;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Signals;

import java.lang.foreign.Arena;

/**
 * The notify engine's lifecycle: how its tree is held (jbinfmt-guard, else a cgroup), its spawn under the
 * notifying filter, its loop, and its kill. A kernel that refuses the filter at the spawn hands the root back for
 * the ptrace engine ({@link Spawned#fallback()}), unless notify was asked for by name.
 */
public final class NotifyEngine {
    /**
     * {@code -Djbinfmt.notify.tree=cgroup}: the tree is held by a cgroup and its watchdog, not by the guard, where
     * a cgroup can be had (to compare the two; the guard is the default).
     */
    private static final String TREE_PROPERTY = "jbinfmt.notify.tree";

    private final Engine wanted;
    private final Engine.Choice choice;
    private final boolean guarded;
    /**
     * Where the tree is held (no guard) or rewritten processes get their CPU time (outcomes asked for); else null.
     * Set before the tracer starts, cleared by it; read by {@link #kill} from any thread.
     */
    private volatile TreeCgroup cgroup;
    /** The running guard, from the spawn to the tree's end; else null. */
    private volatile TreeGuard guard;

    private NotifyEngine(Engine wanted, Engine.Choice choice, boolean guarded, TreeCgroup cgroup) {
        this.wanted = wanted;
        this.choice = choice;
        this.guarded = guarded;
        this.cgroup = cgroup;
    }

    /**
     * The engine, where its guard or else a cgroup can hold the tree, decided before the spawn (the cgroup's
     * watchdog must not be a child of the tracer thread); else null, with {@code fallback} told why, when the
     * ptrace engine may run instead.
     *
     * @throws SpawnException when neither can be had and notify was asked for by name
     */
    public static NotifyEngine choose(SessionOptions options, java.util.function.Consumer<String> fallback)
            throws SpawnException {
        Engine wanted = options.engine();
        String asked = wanted == Engine.NOTIFY ? "asked for" : "this host allows it";
        String noGuard = null;
        if (!"cgroup".equals(System.getProperty(TREE_PROPERTY))) {
            try {
                TreeGuard.check();
                TreeCgroup cpuTimes = null;
                String cpu = "";
                if (options.listener() != null && options.listener().wantsOutcomes()) {
                    try {
                        cpuTimes = TreeCgroup.open(); // only for the CPU time of rewritten processes
                        cpu = "; rewritten processes' CPU time from cgroups in " + cpuTimes.directory();
                    } catch (TreeCgroup.Unavailable u) {
                        cpu = "; no CPU time for rewritten processes (" + u.getMessage() + ")";
                    }
                }
                return new NotifyEngine(wanted, new Engine.Choice(Engine.NOTIFY, asked + "; the tree is held by "
                        + "jbinfmt-guard, the command's parent and a child subreaper, which kills it if jbinfmt dies"
                        + cpu), true, cpuTimes);
            } catch (TreeGuard.Unavailable u) {
                noGuard = u.getMessage();
            }
        }
        try {
            TreeCgroup group = TreeCgroup.open();
            return new NotifyEngine(wanted, new Engine.Choice(Engine.NOTIFY, asked + "; the tree lives in "
                    + group.directory() + ", killed through cgroup.kill if jbinfmt dies"), false, group);
        } catch (TreeCgroup.Unavailable u) {
            String why = "the notify engine needs its guard or a cgroup of its own to take the tree down with "
                    + "jbinfmt: " + (noGuard != null ? noGuard + "; " : "") + u.getMessage();
            if (wanted == Engine.NOTIFY) {
                throw new SpawnException("--engine notify: " + why, 0);
            }
            fallback.accept(why);
            return null;
        }
    }

    /** This engine, and why. */
    public Engine.Choice choice() {
        return choice;
    }

    /**
     * The spawned root; {@code fallback}: why the kernel refused the notifying filter (the root then runs under
     * the tracing filter, for the ptrace engine), else null.
     */
    public record Spawned(Spawner.Spawned root, String fallback) {
    }

    /**
     * Spawns the command under {@code filter} (the notifying one), with the guard as its parent where it has one.
     * After the spawn the root joins the cgroup (before its exec, so all it starts is born there), or, when the
     * kernel refused the filter, is handed back for the ptrace engine.
     */
    public Spawned spawn(RootSpawn.Command command, ExecFilter filter, Arena arena, Arch arch)
            throws SpawnException {
        try {
            TreeGuard.Plan plan = guarded ? prepareGuard(arena) : null;
            Spawner.Spawned root;
            try {
                root = RootSpawn.spawn(command, filter, arena, arch, p -> plan == null ? p : p.withGuard(plan));
            } catch (SpawnException e) {
                if (plan != null) {
                    plan.settle(false);
                }
                throw e;
            }
            if (plan != null) {
                plan.settle(root.guard() != null);
            }
            guard = root.guard();
            return settle(root);
        } catch (SpawnException e) {
            release();
            throw e;
        }
    }

    private Spawned settle(Spawner.Spawned root) throws SpawnException {
        if (root.listener() < 0) {
            String why = root.notifyRefused() == Errno.EBUSY.code
                    ? "a seccomp listener exists up this process tree already (jbinfmt under jbinfmt, or a container"
                    + " that intercepts syscalls), and a tree has one at most"
                    : "this kernel refused seccomp user notification with a killable wait ("
                    + Errno.describe(root.notifyRefused()) + "; Linux 6.0 or later needed)";
            releaseCgroup();
            if (wanted == Engine.NOTIFY) {
                Spawner.killAndReap(root.pid());
                throw new SpawnException("--engine notify: " + why, 0);
            }
            return new Spawned(root, why);
        }
        TreeCgroup group = cgroup;
        if (group == null) {
            return new Spawned(root, null); // the guard holds the tree
        }
        try {
            group.adopt(root.pid());
        } catch (TreeCgroup.Unavailable u) {
            if (root.guard() != null) {
                releaseCgroup(); // it was for CPU times only
                return new Spawned(root, null);
            }
            Spawner.killAndReap(root.pid());
            throw new SpawnException("the notify engine: " + u.getMessage(), 0);
        }
        return new Spawned(root, null);
    }

    /** The guard's lifeline; a failure to make it is the host's refusal of the notify engine (so said). */
    private static TreeGuard.Plan prepareGuard(Arena arena) throws SpawnException {
        try {
            return TreeGuard.Plan.prepare(arena);
        } catch (TreeGuard.Unavailable u) {
            throw new SpawnException("the notify engine: " + u.getMessage(), 0);
        }
    }

    /** Runs the spawned tree to its end: the loop, then the guard's report of the command's end. */
    public TreeEnd run(SessionOptions options, ExecFilter filter, Spawner.Spawned root, Arena arena, Arch arch)
            throws ErrnoException {
        int pid = root.pid();
        TreeCgroup group = cgroup;
        try (NotifyLoop loop = new NotifyLoop(arch, filter, options.rules(), options.listener(), root.listener(),
                pid, root.heldSignal(), group == null ? null : group.directory(), arena, System.err,
                options.faults())) {
            TreeEnd end = loop.run();
            return root.guard() != null ? withGuardsReport(end, root.guard(), pid) : end;
        } finally {
            release();
        }
    }

    /**
     * The tree has ended (every process with the filter has exited): the command's end as its parent, the guard,
     * reaped it (the loop saw it only while the command was still ours), and the guard's own end. A guard killed by
     * someone else reports nothing: the run is disturbed, and the command's status lost (given as SIGKILL).
     */
    private static TreeEnd withGuardsReport(TreeEnd end, TreeGuard guard, int command) {
        StopEvent reported = guard.awaitEnd();
        if (reported != null) {
            return new TreeEnd(reported, end.spawnErrno(), end.disturbances(), end.refused());
        }
        if (end.rootEnd() != null || end.spawnErrno() != 0 || end.refused() != null) {
            return end;
        }
        System.err.println("jbinfmt: the command's parent, jbinfmt-guard (pid " + guard.pid() + "), was killed: the "
                + "command's status is lost, and its tree was no longer tied to jbinfmt's life");
        return new TreeEnd(new StopEvent.Killed(command, Signals.SIGKILL, false), 0, end.disturbances() + 1, null);
    }

    /** Kills the whole tree, from any thread: the listener then hangs up and the loop ends. */
    public void kill() {
        TreeGuard g = guard;
        if (g != null) {
            g.kill();
        }
        TreeCgroup c = cgroup;
        if (c != null) {
            c.kill();
        }
    }

    /** Whether {@link #kill} reaches the whole tree (the guard or a cgroup holds it). */
    public boolean holdsTree() {
        return guard != null || cgroup != null;
    }

    /** Lets go of the guard and the cgroup (the tree has ended, or never started). */
    public void release() {
        TreeGuard g = guard;
        if (g != null) {
            guard = null;
            g.close();
        }
        releaseCgroup();
    }

    private void releaseCgroup() {
        TreeCgroup c = cgroup;
        if (c != null) {
            cgroup = null;
            c.close();
        }
    }
}
