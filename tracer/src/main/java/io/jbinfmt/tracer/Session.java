package io.jbinfmt.tracer;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.event.EventLoop;
import io.jbinfmt.tracer.event.KernelTree;
import io.jbinfmt.tracer.event.NotifyLoop;
import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.TreeEnd;
import io.jbinfmt.tracer.exec.InterpreterWrappers;
import io.jbinfmt.tracer.process.CommandResolver;
import io.jbinfmt.tracer.process.IdMap;
import io.jbinfmt.tracer.process.PrivateBinfmt;
import io.jbinfmt.tracer.process.Environment;
import io.jbinfmt.tracer.process.SpawnPlan;
import io.jbinfmt.tracer.process.Spawner;
import io.jbinfmt.tracer.process.Tracee;
import io.jbinfmt.tracer.process.TraceeTable;
import io.jbinfmt.tracer.process.TreeCgroup;
import io.jbinfmt.tracer.process.TreeGuard;
import io.jbinfmt.tracer.rules.KernelRuleForm;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Signals;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One traced command tree: spawns the command under the exec filter and traces it, and every process it
 * creates, until all of them have ended. All ptrace work happens on the session's own platform thread, which
 * waits only for its own tracees, so the embedding JVM may run other child processes meanwhile.
 * <pre>{@code
 * try (Session s = Session.start(SessionOptions.defaults(), List.of("make".getBytes(), "check".getBytes()))) {
 *     int status = s.waitFor().shellStatus();
 * }
 * }</pre>
 */
public final class Session implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();
    /**
     * {@code -Djbinfmt.notify.tree=cgroup}: the notify engine holds the tree by a cgroup and its watchdog, not by
     * the guard, where a cgroup can be had (to compare the two; the guard is the default).
     */
    private static final String TREE_PROPERTY = "jbinfmt.notify.tree";

    private final TraceeTable table = new TraceeTable();
    private final CompletableFuture<Integer> spawned = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> finished = new CompletableFuture<>();
    private final Thread tracer;
    private volatile int disturbances;
    private volatile int tracerTid = -1;
    private volatile long tracerCpuNanos;
    /**
     * The notify engine's cgroup, where it holds the tree (no guard) or gives rewritten processes their CPU time
     * (outcomes asked for); the kernel engine's where one can be had; else null (set before the tracer starts,
     * cleared by it).
     */
    private volatile TreeCgroup cgroup;
    /** Whether the notify engine's tree is held by a {@link TreeGuard} (decided before the tracer starts). */
    private volatile boolean guarded;
    /** The running guard, from the spawn to the tree's end; else null. */
    private volatile TreeGuard guard;
    private volatile Engine.Choice engine;
    /** The kernel engine's rules, as the kernel gets them (wrappers removed at the end); null under the others. */
    private volatile InterpreterWrappers wrappers;
    /** The kernel engine without a cgroup: our pid for the init of the command's PID namespace; else 0. */
    private volatile int namespaceInit;

    private Session(SessionOptions options, byte[] path, List<byte[]> argv, List<byte[]> env) {
        this.tracer = Thread.ofPlatform()
                .name("jbinfmt-tracer-" + IDS.incrementAndGet())
                .daemon(true)
                .unstarted(() -> trace(options, path, argv, env));
    }

    /**
     * Starts {@code command} (argv; {@code command[0]} is searched on PATH like execvp) under a new session, and
     * returns once it is running under the filter.
     *
     * @throws SpawnException when it is not found or the traced process cannot be set up
     */
    public static Session start(SessionOptions options, List<byte[]> command) throws SpawnException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        List<byte[]> env = options.environment() != null ? options.environment() : Environment.inherited();
        byte[] path = CommandResolver.resolve(command.getFirst(), env, options.directory());
        Session s = new Session(options, path, new ArrayList<>(command), env);
        s.chooseEngine(options); // here: the cgroup's watchdog must not be a child of the tracer thread
        s.tracer.start();
        try {
            s.spawned.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            s.close();
            throw new SpawnException("interrupted while starting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SpawnException se) {
                throw se;
            }
            throw new SpawnException("cannot start: " + e.getCause(), e.getCause());
        }
        return s;
    }

    /**
     * Picks the engine before the spawn: notify needs its guard, or else a cgroup, to hold the tree (and no stop
     * observer, which only the ptrace engine has stops for). Whether the kernel takes the notifying filter is known
     * only at the spawn.
     */
    private void chooseEngine(SessionOptions options) throws SpawnException {
        Engine wanted = options.engine();
        if (wanted == Engine.KERNEL) {
            chooseKernel(options);
            return;
        }
        if (wanted == Engine.PTRACE) {
            engine = new Engine.Choice(Engine.PTRACE, "asked for");
            return;
        }
        if (options.observer() != null) {
            if (wanted == Engine.NOTIFY) {
                throw new IllegalArgumentException("a stop observer needs the ptrace engine");
            }
            engine = new Engine.Choice(Engine.PTRACE, "a stop observer is set (only this engine has stops)");
            return;
        }
        String asked = wanted == Engine.NOTIFY ? "asked for" : "this host allows it";
        String noGuard = null;
        if (!"cgroup".equals(System.getProperty(TREE_PROPERTY))) {
            try {
                TreeGuard.check();
                guarded = true;
                String cpu = "";
                if (options.listener() != null && options.listener().wantsOutcomes()) {
                    try {
                        cgroup = TreeCgroup.open(); // only for the CPU time of rewritten processes
                        cpu = "; rewritten processes' CPU time from cgroups in " + cgroup.directory();
                    } catch (TreeCgroup.Unavailable u) {
                        cpu = "; no CPU time for rewritten processes (" + u.getMessage() + ")";
                    }
                }
                engine = new Engine.Choice(Engine.NOTIFY, asked + "; the tree is held by jbinfmt-guard, the "
                        + "command's parent and a child subreaper, which kills it if jbinfmt dies" + cpu);
                return;
            } catch (TreeGuard.Unavailable u) {
                noGuard = u.getMessage();
            }
        }
        try {
            cgroup = TreeCgroup.open();
            engine = new Engine.Choice(Engine.NOTIFY, asked + "; the tree lives in " + cgroup.directory()
                    + ", killed through cgroup.kill if jbinfmt dies");
        } catch (TreeCgroup.Unavailable u) {
            String why = "the notify engine needs its guard or a cgroup of its own to take the tree down with "
                    + "jbinfmt: " + (noGuard != null ? noGuard + "; " : "") + u.getMessage();
            if (wanted == Engine.NOTIFY) {
                throw new SpawnException("--engine notify: " + why, 0);
            }
            engine = new Engine.Choice(Engine.PTRACE, why);
        }
    }

    /**
     * The kernel engine: the rules in the kernel's form (wrapper scripts written), and a cgroup when one can be
     * had, so that the tree dies with jbinfmt; without one, a PID namespace of the tree's own, whose init we trace
     * (with PTRACE_O_EXITKILL: the namespace dies with us), does the same.
     */
    private void chooseKernel(SessionOptions options) throws SpawnException {
        if (options.observer() != null || options.listener() != null) {
            throw new IllegalArgumentException("the kernel engine sees no exec and no stop: it takes no exec listener"
                    + " or stop observer");
        }
        try {
            wrappers = InterpreterWrappers.write(options.rules(), Path.of(System.getProperty("java.io.tmpdir",
                    "/tmp")));
        } catch (KernelRuleForm.Inexpressible e) {
            throw new SpawnException("--engine kernel: " + e.getMessage(), 0);
        } catch (java.io.IOException e) {
            throw new SpawnException("--engine kernel: cannot write the rules' wrapper scripts: " + e, 0);
        }
        String how = "asked for; the rules are in a private binfmt_misc, in user and mount namespaces of the "
                + "command's (" + (ProcessCalls.geteuid() == 0 ? rootIds() : "as this user, with no capabilities")
                + "); the kernel runs every exec, jbinfmt sees none";
        try {
            cgroup = TreeCgroup.open();
            engine = new Engine.Choice(Engine.KERNEL, how + "; the tree lives in " + cgroup.directory()
                    + ", killed through cgroup.kill if jbinfmt dies");
        } catch (TreeCgroup.Unavailable u) {
            engine = new Engine.Choice(Engine.KERNEL, how + "; no cgroup of its own (" + u.getMessage()
                    + "), so the tree lives in a PID namespace of its own (pid 1 is jbinfmt's init, the command pid 2, "
                    + "with a fresh /proc), killed with that init if jbinfmt dies");
        }
    }

    /** Root's ids under the kernel engine: the host's, or exactly those of the user namespace jbinfmt runs in. */
    private static String rootIds() {
        IdMap uids = PrivateBinfmt.enclosingMap("uid_map");
        IdMap gids = PrivateBinfmt.enclosingMap("gid_map");
        if (uids.isWhole() && gids.isWhole()) {
            return "as root, mapped to the host's ids";
        }
        return "as root, with the ids of jbinfmt's own user namespace and no others (its uid_map: "
                + uids.summary() + "; its gid_map: " + gids.summary() + ")";
    }

    private void trace(SessionOptions options, byte[] path, List<byte[]> argv, List<byte[]> env) {
        try (Arena arena = Arena.ofConfined()) {
            tracerTid = currentTid();
            Arch arch = Arch.host();
            if (wrappers != null) {
                traceKernel(options, path, argv, env, arch, arena);
                return;
            }
            boolean notify = engine.engine() == Engine.NOTIFY;
            ExecFilter filter = notify ? ExecFilter.notifying(arch) : new ExecFilter(arch);
            Spawner.Spawned root;
            TreeGuard.Plan guardPlan = null;
            try {
                if (guarded) {
                    guardPlan = prepareGuard(arena);
                }
                TreeGuard.Plan g = guardPlan;
                try {
                    root = spawnRoot(options, filter, path, argv, env, arena, arch,
                            plan -> g == null ? plan : plan.withGuard(g));
                } catch (SpawnException e) {
                    if (g != null) {
                        g.settle(false);
                    }
                    throw e;
                }
                if (g != null) {
                    g.settle(root.guard() != null);
                }
                guard = root.guard();
                if (notify) {
                    settleNotify(options.engine(), root);
                }
            } catch (SpawnException e) {
                releaseCgroup();
                spawned.completeExceptionally(e);
                return;
            }
            int pid = root.pid();
            TreeEnd end;
            if (root.listener() >= 0) {
                TreeCgroup group = cgroup;
                spawned.complete(pid);
                try (NotifyLoop loop = new NotifyLoop(arch, filter, options.rules(), options.listener(),
                        root.listener(), pid, root.heldSignal(), group == null ? null : group.directory(), arena,
                        System.err, options.faults())) {
                    end = loop.run();
                    if (root.guard() != null) {
                        end = withGuardsReport(end, root.guard(), pid);
                    }
                } finally {
                    releaseGuard();
                    releaseCgroup();
                }
            } else {
                table.lookupOrCreate(pid).phase(Tracee.Phase.SPAWNING);
                spawned.complete(pid);
                EventLoop loop = new EventLoop(arch, filter.tracing(), options.rules(), options.listener(), table,
                        pid, root.heldSignal(), arena, System.err, options.observer(), options.faults());
                try {
                    end = loop.run();
                } finally {
                    loop.close();
                }
            }
            if (end.refused() == null) {
                tracerCpuNanos = threadCpuNanos();
            }
            complete(end, path);
        } catch (Throwable t) {
            releaseGuard();
            releaseCgroup();
            spawned.completeExceptionally(t);
            finished.completeExceptionally(t);
        }
    }

    /**
     * Lays out the root's plan ({@code filter} null: none; {@code edit} adds to it), opens its redirects and
     * spawns it.
     */
    private static Spawner.Spawned spawnRoot(SessionOptions options, ExecFilter filter, byte[] path,
                                             List<byte[]> argv, List<byte[]> env, Arena arena, Arch arch,
                                             java.util.function.UnaryOperator<SpawnPlan> edit) throws SpawnException {
        List<int[]> redirects = new ArrayList<>();
        try {
            for (Redirect r : options.redirects()) {
                redirects.add(new int[]{openRedirect(r), r.fd()});
            }
            SpawnPlan plan = SpawnPlan.prepare(arena, filter, path, argv, env, ProcessCalls.geteuid() != 0,
                    options.directory(), redirects, options.passFds());
            return Spawner.spawn(arch, edit.apply(plan), arena);
        } finally {
            for (int[] r : redirects) {
                FileCalls.close(r[0]); // the child has its copy now
            }
        }
    }

    /** The guard's lifeline; a failure to make it is the host's refusal of the notify engine (so said). */
    private static TreeGuard.Plan prepareGuard(Arena arena) throws SpawnException {
        try {
            return TreeGuard.Plan.prepare(arena);
        } catch (TreeGuard.Unavailable u) {
            throw new SpawnException("the notify engine: " + u.getMessage(), 0);
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

    private void releaseGuard() {
        TreeGuard g = guard;
        if (g != null) {
            guard = null;
            g.close();
        }
    }

    /** Completes {@link #finished} from how the tree ended. */
    private void complete(TreeEnd end, byte[] path) {
        disturbances = end.disturbances();
        int spawnErrno = end.spawnErrno();
        if (end.refused() != null) {
            finished.completeExceptionally(new SpawnException(end.refused(), 0));
        } else if (spawnErrno != 0) {
            finished.completeExceptionally(new SpawnException(
                    new String(path) + ": " + Errno.message(spawnErrno), spawnErrno));
        } else {
            finished.complete(switch (end.rootEnd()) {
                case StopEvent.Exited e -> ExitStatus.exited(e.code());
                case StopEvent.Killed k -> ExitStatus.killed(k.signal(), k.coreDumped());
                case null, default -> throw new IllegalStateException("the command's end was never reported");
            });
        }
    }

    /** The kernel engine's run: spawn with the private binfmt_misc, let the command go at its exec, wait. */
    private void traceKernel(SessionOptions options, byte[] path, List<byte[]> argv, List<byte[]> env, Arch arch,
                             Arena arena) {
        TreeEnd end;
        try {
            Spawner.Spawned root;
            try {
                root = spawnRoot(options, null, path, argv, env, arena, arch,
                        plan -> plan.withBinfmt(PrivateBinfmt.prepare(arena, wrappers.forms(), cgroup == null)));
                if (cgroup != null) {
                    try {
                        cgroup.adopt(root.pid()); // stopped at its exec until KernelTree lets it go: no child yet
                    } catch (TreeCgroup.Unavailable u) {
                        Spawner.killAndReap(root.pid());
                        throw new SpawnException("the kernel engine: " + u.getMessage(), 0);
                    }
                }
            } catch (SpawnException e) {
                spawned.completeExceptionally(e);
                return;
            }
            if (root.init() != null) {
                namespaceInit = root.init().pid();
            }
            spawned.complete(root.pid());
            end = new KernelTree(new Registers(arch, arena), arena.allocate(4)).run(root.pid(), root.heldSignal(),
                    root.init());
            if (cgroup != null && end.rootEnd() != null) {
                cgroup.awaitEmpty(); // daemons the command left behind, as the other engines wait for them
            }
            tracerCpuNanos = threadCpuNanos();
        } catch (Throwable t) {
            spawned.completeExceptionally(t);
            finished.completeExceptionally(t);
            return;
        } finally {
            releaseCgroup();
            wrappers.close(); // before the caller hears of the end: nothing of ours is left then
        }
        complete(end, path);
    }

    /**
     * After a spawn under the notifying filter: the root joins the cgroup (before its exec, so all it starts is born
     * there), or, when the kernel refused the filter, the session falls back to the ptrace engine (unless notify was
     * asked for by name).
     */
    private void settleNotify(Engine wanted, Spawner.Spawned root) throws SpawnException {
        if (root.listener() < 0) {
            String why = root.notifyRefused() == Errno.EBUSY.code
                    ? "a seccomp listener exists up this process tree already (jbinfmt under jbinfmt, or a container"
                    + " that intercepts syscalls), and a tree has one at most"
                    : "this kernel refused seccomp user notification with a killable wait ("
                    + Errno.describe(root.notifyRefused()) + "; Linux 6.0 or later needed)";
            releaseCgroup();
            guarded = false;
            if (wanted == Engine.NOTIFY) {
                Spawner.killAndReap(root.pid());
                throw new SpawnException("--engine notify: " + why, 0);
            }
            engine = new Engine.Choice(Engine.PTRACE, why);
            return;
        }
        if (cgroup == null) {
            return; // the guard holds the tree
        }
        try {
            cgroup.adopt(root.pid());
        } catch (TreeCgroup.Unavailable u) {
            if (root.guard() != null) {
                cgroup.close(); // it was for CPU times only
                cgroup = null;
                return;
            }
            Spawner.killAndReap(root.pid());
            throw new SpawnException("the notify engine: " + u.getMessage(), 0);
        }
    }

    private void releaseCgroup() {
        TreeCgroup c = cgroup;
        if (c != null) {
            cgroup = null;
            c.close();
        }
    }

    /** The engine this session runs, and why. */
    public Engine.Choice engine() {
        return engine;
    }

    private static int openRedirect(Redirect r) throws SpawnException {
        int flags = FileCalls.O_CLOEXEC | switch (r.mode()) {
            case READ -> FileCalls.O_RDONLY;
            case WRITE -> FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_TRUNC;
            case APPEND -> FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_APPEND;
        };
        try {
            return FileCalls.open(r.path(), flags, 0666);
        } catch (ErrnoException e) {
            throw new SpawnException("cannot redirect descriptor " + r.fd() + " to " + new String(r.path()) + ": "
                    + Errno.message(e.errno()), 0);
        }
    }

    /** The command's pid. */
    public int pid() {
        return spawned.join();
    }

    /**
     * Waits until the command and every process it left behind have ended; returns the command's status.
     *
     * @throws SpawnException when the kernel refused to exec the command itself (errno in the exception)
     */
    public ExitStatus waitFor() throws InterruptedException, SpawnException {
        try {
            return finished.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SpawnException se) {
                throw se;
            }
            throw new IllegalStateException("tracer failed", e.getCause());
        }
    }

    /** Whether the run finished with tracer errors (logged to stderr) that may have disturbed the tree. */
    public boolean disturbed() {
        return disturbances > 0;
    }

    /** Sends {@code signal} to the command (not to the processes it started). Safe from any thread. */
    public void signal(int signal) {
        try {
            Signals.kill(pid(), signal);
        } catch (ErrnoException e) {
            // ESRCH: it has ended already
        }
    }

    /**
     * Whether signals typed at the controlling terminal (Ctrl-C, Ctrl-\) reach the command on their own: it
     * shares this JVM's process group, and that group is the terminal's foreground group.
     */
    public boolean receivesTerminalSignals() {
        int group = ProcessCalls.getpgid(0);
        return group == ProcessCalls.getpgid(pid()) && ProcessCalls.foregroundGroup(0) == group;
    }

    /** CPU time the tracer thread used, from /proc/thread-self/schedstat (first field, nanoseconds). */
    private static long threadCpuNanos() {
        try {
            String s = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/schedstat"));
            return Long.parseLong(s.split(" ")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time the session's tracer thread spent, in nanoseconds, once {@link #waitFor} has returned. */
    public long tracerCpuNanos() {
        return tracerCpuNanos;
    }

    /** The calling thread's kernel tid: /proc names a tracee's tracer by it. */
    private static int currentTid() throws java.io.IOException {
        String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self")).toString();
        return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
    }

    private static int tracerOf(int tid) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("TracerPid:")) {
                    return Integer.parseInt(line.substring("TracerPid:".length()).trim());
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /** Kills every process of the tree that is still alive, then waits for the tracer to finish. */
    @Override
    public void close() {
        TreeCgroup c = cgroup;
        TreeGuard g = guard;
        if (!finished.isDone() && g != null) {
            g.kill(); // the guard kills the whole tree; the listener then hangs up and the loop ends
        }
        if (!finished.isDone() && c != null) {
            c.kill(); // the whole tree at once; the listener then hangs up and the loop ends
        } else if (!finished.isDone() && namespaceInit > 0 && tracerOf(namespaceInit) == tracerTid) {
            // the kernel engine without a cgroup: the namespace dies with its init (still ours: its pid is not reused)
            try {
                Signals.kill(namespaceInit, Signals.SIGKILL);
            } catch (ErrnoException ignored) {
                // already gone
            }
        }
        if (!finished.isDone()) {
            int self = tracerTid;
            for (int tid : table.liveTids()) {
                // The table may hold a tid that vanished silently (a non-leader exec) and was reused since:
                // kill only what is still traced by this process.
                if (tracerOf(tid) != self) {
                    continue;
                }
                try {
                    Signals.kill(tid, Signals.SIGKILL);
                } catch (ErrnoException ignored) {
                    // already gone
                }
            }
        }
        try {
            tracer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
