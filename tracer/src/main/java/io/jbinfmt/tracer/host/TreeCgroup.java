package io.jbinfmt.tracer.host;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Poller;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cgroup v2 group of its own for the notify engine's tree, and the watchdog that kills it if this JVM dies.
 * <p>
 * Why: under seccomp user notification nothing ties the tree to jbinfmt. If jbinfmt died, every later exec in the
 * tree would fail with ENOSYS while the tree ran on. The tree lives in a new child of our own cgroup; a small
 * {@code sh} started here reads a pipe whose only writer is this JVM, and at end of file (we closed it, or we died,
 * even by SIGKILL) writes 1 to {@code cgroup.kill} (Linux 5.14+), which kills every process in the group at once,
 * daemons and double forks included, then removes the group. It runs in a session of its own (setsid) and
 * ignores the terminal's signals, so that neither a Ctrl-C meant for the command nor a SIGKILL sent to jbinfmt's
 * whole process group (as {@code timeout -s KILL} does) takes the guard away with jbinfmt. Groups left behind by a
 * jbinfmt whose watchdog was killed too are removed by the next one, once empty.
 * <p>
 * Needs write access to our cgroup's directory: root on a host (or a container) whose cgroup2 is writable, or a
 * user with a delegated subtree (systemd's user@.service). {@link #open} says why not otherwise.
 */
public final class TreeCgroup implements AutoCloseable {
    private static final AtomicInteger COUNT = new AtomicInteger();
    /**
     * $1: the group's directory. Ignores job-control and terminal signals; only SIGKILL takes it down. Removes the
     * per-process groups ({@link ProcessCgroups}) first: a group with children cannot be removed.
     */
    private static final String WATCHDOG = "trap '' HUP INT QUIT TERM TSTP TTIN TTOU PIPE USR1 USR2; "
            + "read line; echo 1 > \"$1/cgroup.kill\"; i=0; "
            + "while [ $i -lt 200 ] && ! { rmdir \"$1\"/p-* 2>/dev/null; rmdir \"$1\" 2>/dev/null; }; do sleep 0.05; "
            + "i=$((i+1)); done";

    private static final String SETSID = "/usr/bin/setsid";

    private final Path dir;
    private final Process watchdog;
    private final OutputStream lifeline;

    private TreeCgroup(Path dir, Process watchdog) {
        this.dir = dir;
        this.watchdog = watchdog;
        this.lifeline = watchdog.getOutputStream();
    }

    /** Why a tree cannot get a cgroup of its own here. */
    public static final class Unavailable extends Exception {
        public Unavailable(String reason) {
            super(reason);
        }
    }

    /**
     * Creates the group under this process's cgroup and starts its watchdog. Call from a thread that waits for no
     * tracee with {@code waitpid(-1)} (the watchdog is a child of the calling thread).
     */
    public static TreeCgroup open() throws Unavailable {
        String parent;
        try {
            parent = CgroupLocation.find(Files.readAllLines(Path.of("/proc/self/mountinfo")),
                    Files.readAllLines(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            throw new Unavailable("cannot read /proc/self/cgroup: " + e.getMessage());
        }
        if (parent == null) {
            throw new Unavailable("no cgroup v2 hierarchy is mounted for this process");
        }
        Path base = Path.of(parent);
        if (!Files.exists(base.resolve("cgroup.procs"))) {
            throw new Unavailable("the cgroup v2 directory " + base + " is not visible here");
        }
        removeAbandoned(base);
        Path dir = base.resolve("jbinfmt-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new Unavailable("cannot create a cgroup in " + base + " (" + reason(e) + ")");
        }
        if (!Files.exists(dir.resolve("cgroup.kill"))) {
            removeQuietly(dir);
            throw new Unavailable("cgroup.kill is missing (Linux 5.14 or later needed)");
        }
        try {
            List<String> cmd = new ArrayList<>();
            if (Files.isExecutable(Path.of(SETSID))) {
                cmd.add(SETSID); // not a group leader (a fresh child), so setsid execs sh without forking
            }
            cmd.addAll(List.of("/bin/sh", "-c", WATCHDOG, "jbinfmt-watchdog", dir.toString()));
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return new TreeCgroup(dir, p);
        } catch (IOException e) {
            removeQuietly(dir);
            throw new Unavailable("cannot start the cgroup watchdog /bin/sh: " + e.getMessage());
        }
    }

    /** Removes the empty groups of jbinfmt processes that are gone (their watchdog was killed with them). */
    private static void removeAbandoned(Path base) {
        LeftBehind.sweep(base, "jbinfmt-", (group, pid) -> LeftBehind.gone(pid), group -> {
            ProcessCgroups.removeAll(group);
            removeQuietly(group); // fails while populated: then it is not abandoned yet
        });
    }

    private static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.toString();
        };
    }

    /** The group's directory. */
    public Path directory() {
        return dir;
    }

    /**
     * Moves process {@code pid} (not yet exec'd, so none of its descendants exist) into the group; everything it
     * starts is born there.
     */
    public void adopt(int pid) throws Unavailable {
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Integer.toString(pid));
        } catch (IOException e) {
            throw new Unavailable("cannot move the command into " + dir + " (" + reason(e) + ")");
        }
    }

    /**
     * Waits until no process is left in the group (cgroup.events says {@code populated 0}): daemons the command
     * left behind included. kernfs wakes a POLLPRI poll on cgroup.events at each change.
     */
    public void awaitEmpty() throws ErrnoException {
        int fd = FileCalls.open(dir.resolve("cgroup.events").toString().getBytes(), FileCalls.O_RDONLY
                | FileCalls.O_CLOEXEC, 0);
        try (Arena a = Arena.ofConfined(); Poller poller = new Poller()) {
            poller.add(fd, Poller.PRI);
            MemorySegment buf = a.allocate(256);
            while (true) {
                long n = FileCalls.pread(fd, buf, 0); // reading re-arms the poll
                String events = new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                if (events.contains("populated 0")) {
                    return;
                }
                poller.poll(-1);
            }
        } finally {
            FileCalls.close(fd);
        }
    }

    /** Kills every process in the group (safe from any thread, any number of times). */
    public void kill() {
        try {
            Files.writeString(dir.resolve("cgroup.kill"), "1");
        } catch (IOException e) {
            // removed already: nothing left to kill
        }
    }

    /** Ends the watchdog, which kills what is left and removes the group; waits for it. */
    @Override
    public void close() {
        try {
            lifeline.close();
        } catch (IOException ignored) {
            // the watchdog died: it can no longer remove the group, we do below
        }
        try {
            if (!watchdog.waitFor(15, TimeUnit.SECONDS)) {
                watchdog.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (Files.exists(dir)) {
            kill();
            ProcessCgroups.removeAll(dir);
            removeQuietly(dir);
        }
    }

    private static void removeQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // still populated, or gone
        }
    }
}
