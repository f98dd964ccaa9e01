package io.jbinfmt.tracer;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.engine.RootSpawn;
import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.engine.kernel.KernelEngine;
import io.jbinfmt.tracer.engine.notify.NotifyEngine;
import io.jbinfmt.tracer.engine.ptrace.PtraceEngine;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.TracerPid;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.spawn.CommandResolver;
import io.jbinfmt.tracer.spawn.Environment;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Signals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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

    private final CompletableFuture<Integer> spawned = new CompletableFuture<>();
    private final CompletableFuture<ExitStatus> finished = new CompletableFuture<>();
    private final Thread tracer;
    private volatile int disturbances;
    private volatile int tracerTid = -1;
    private volatile long tracerCpuNanos;
    private volatile Engine.Choice engine;
    /** The engine that runs the tree, chosen before the tracer starts: one of these three is set. */
    private volatile NotifyEngine notify;
    private final PtraceEngine ptrace = new PtraceEngine();
    private volatile KernelEngine kernel;

    private Session(SessionOptions options, byte[] path, List<byte[]> argv, List<byte[]> env) {
        RootSpawn.Command command = new RootSpawn.Command(options, path, argv, env);
        this.tracer = Thread.ofPlatform()
                .name("jbinfmt-tracer-" + IDS.incrementAndGet())
                .daemon(true)
                .unstarted(() -> trace(command));
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
        s.chooseEngine(options); // here: a cgroup's watchdog must not be a child of the tracer thread
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
            kernel = KernelEngine.choose(options);
            engine = kernel.choice();
        } else if (wanted == Engine.PTRACE) {
            engine = new Engine.Choice(Engine.PTRACE, "asked for");
        } else if (options.observer() != null) {
            if (wanted == Engine.NOTIFY) {
                throw new IllegalArgumentException("a stop observer needs the ptrace engine");
            }
            engine = new Engine.Choice(Engine.PTRACE, "a stop observer is set (only this engine has stops)");
        } else {
            notify = NotifyEngine.choose(options, why -> engine = new Engine.Choice(Engine.PTRACE, why));
            if (notify != null) {
                engine = notify.choice();
            }
        }
    }

    private void trace(RootSpawn.Command command) {
        try (Arena arena = Arena.ofConfined()) {
            tracerTid = TracerPid.currentTid();
            Arch arch = Arch.host();
            TreeEnd end;
            if (kernel != null) {
                try {
                    end = kernel.run(command, arena, arch, pid -> started(command, pid));
                } catch (SpawnException e) {
                    spawned.completeExceptionally(e);
                    return;
                }
            } else {
                end = traceUserSpace(command, arena, arch);
                if (end == null) {
                    return; // the spawn failed, and said so
                }
            }
            if (end.refused() == null) {
                tracerCpuNanos = threadCpuNanos();
            }
            complete(end, command.path());
        } catch (Throwable t) {
            NotifyEngine n = notify;
            if (n != null) {
                n.release();
            }
            spawned.completeExceptionally(t);
            finished.completeExceptionally(t);
        }
    }

    /** The notify or the ptrace engine's run; null when the spawn failed (then {@link #spawned} says why). */
    private TreeEnd traceUserSpace(RootSpawn.Command command, Arena arena, Arch arch) throws ErrnoException {
        NotifyEngine n = notify;
        ExecFilter filter = n != null ? ExecFilter.notifying(arch) : new ExecFilter(arch);
        Spawner.Spawned root;
        try {
            if (n != null) {
                NotifyEngine.Spawned s = n.spawn(command, filter, arena, arch);
                root = s.root();
                if (s.fallback() != null) {
                    engine = new Engine.Choice(Engine.PTRACE, s.fallback());
                    notify = null;
                    n = null;
                }
            } else {
                root = ptrace.spawn(command, filter, arena, arch);
            }
        } catch (SpawnException e) {
            spawned.completeExceptionally(e);
            return null;
        }
        if (n != null) {
            started(command, root.pid());
            return n.run(command.options(), filter, root, arena, arch);
        }
        ptrace.adopt(root);
        started(command, root.pid());
        return ptrace.run(command.options(), filter, root, arena, arch);
    }

    /**
     * The command is spawned and held (it runs nothing of its own until the engine's loop lets it go): the engine
     * is final now; whoever asked hears of it before the command can print anything.
     */
    private void started(RootSpawn.Command command, int pid) {
        Consumer<Engine.Choice> told = command.options().engineChosen();
        if (told != null) {
            told.accept(engine);
        }
        spawned.complete(pid);
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

    /** The engine this session runs, and why. */
    public Engine.Choice engine() {
        return engine;
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
            String s = Files.readString(Path.of("/proc/thread-self/schedstat"));
            return Long.parseLong(s.split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time the session's tracer thread spent, in nanoseconds, once {@link #waitFor} has returned. */
    public long tracerCpuNanos() {
        return tracerCpuNanos;
    }

    /** Kills every process of the tree that is still alive, then waits for the tracer to finish. */
    @Override
    public void close() {
        if (!finished.isDone()) {
            NotifyEngine n = notify;
            KernelEngine k = kernel;
            if (n != null) {
                n.kill(); // the guard or the cgroup kills the whole tree; the listener then hangs up, the loop ends
            }
            if (k != null) {
                k.kill(tracerTid);
            }
            ptrace.kill(tracerTid);
        }
        try {
            tracer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
