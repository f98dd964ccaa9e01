package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.ptrace.SyscallInjector;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Set;

/**
 * The process that holds the notify engine's tree, so that the tree dies with jbinfmt whoever runs it, with no
 * cgroup: the command's parent, a child subreaper (every orphan of the tree, a double-forked daemon included, is
 * reparented to it and stays a descendant of jbinfmt), running the small C program {@code jbinfmt-guard} (built
 * from {@code src/main/c} into this jar, exec'd from a memfd). It holds one end of a socket pair whose other end
 * only this JVM holds (the lifeline); at end of file, when jbinfmt ends the tree or dies (even by SIGKILL), it
 * SIGKILLs its children, and the orphans each death hands it, until none is left. It reports the command's wait
 * status over the lifeline, and exits once it has no child left: the whole tree has ended.
 * <p>
 * Made like the root (libc's clone, no Java code in the child): seized in pause(), it gets
 * prctl(PR_SET_CHILD_SUBREAPER) and a clone that makes the command (traced from birth, then set up as the root
 * always was); then a process group of its own (a SIGKILL of jbinfmt's whole group, as {@code timeout -s KILL}
 * sends, must not reach it; the command stays in jbinfmt's group, for job control), its lifeline kept across
 * exec, every other descriptor closed, and execveat of the program. The guard carries no seccomp filter: the
 * listener still hangs up when the last process of the tree has exited.
 */
public final class TreeGuard implements AutoCloseable {
    private static final String PROGRAM = "jbinfmt-guard";
    private static final long PR_SET_CHILD_SUBREAPER = 36;
    private static final long F_SETFD = 2;
    /** The program's memfd, made once per JVM (close-on-exec: only the guard's own exec uses it). */
    private static int programFd = -1;

    /** Why a tree cannot have a guard here. */
    public static final class Unavailable extends Exception {
        Unavailable(String reason) {
            super(reason);
        }
    }

    /**
     * What the guard's calls point at, laid out before the root's clone, which copies it.
     *
     * @param lifeline    our end of the socket pair
     * @param guardEnd    the guard's end (our copy is closed once it has exec'd)
     * @param program     the program's memfd
     * @param emptyPath   "" for execveat(AT_EMPTY_PATH)
     * @param argv        {"jbinfmt-guard", guardEnd}
     * @param envp        an empty environment
     * @param closeRanges every descriptor from 3 up but the guard's end and the program
     */
    public record Plan(int lifeline, int guardEnd, int program, MemorySegment emptyPath, MemorySegment argv,
                       MemorySegment envp, List<long[]> closeRanges) {
        /** Makes the socket pair and lays out the guard's exec; the caller {@link #settle}s it after the spawn. */
        public static Plan prepare(Arena arena) throws Unavailable {
            int program = programFd(arena);
            int[] pair;
            try {
                pair = FileCalls.socketPair();
            } catch (ErrnoException e) {
                throw new Unavailable("cannot make the guard's lifeline: " + e.getMessage());
            }
            return new Plan(pair[0], pair[1], program, FileCalls.cString(arena, new byte[0]),
                    SpawnPlan.pointerArray(arena, List.of(PROGRAM.getBytes(), Integer.toString(pair[1]).getBytes())),
                    SpawnPlan.pointerArray(arena, List.of()),
                    SpawnPlan.closeRanges(Set.of(pair[1], program)));
        }

        /**
         * After the spawn, whatever it made: closes our copy of the guard's end, and our end too unless a guard runs
         * ({@code running}: then the {@link TreeGuard} owns it). The plan's descriptors are the caller's alone.
         */
        public void settle(boolean running) {
            FileCalls.close(guardEnd);
            if (!running) {
                FileCalls.close(lifeline);
            }
        }
    }

    /** Whether a guard can be made here: its program is in this jar and can be put in a memfd. */
    public static void check() throws Unavailable {
        try (Arena arena = Arena.ofConfined()) {
            programFd(arena);
        }
    }

    /** The program in a memfd; made once (the bytes come from this jar). */
    private static synchronized int programFd(Arena arena) throws Unavailable {
        if (programFd >= 0) {
            return programFd;
        }
        byte[] bytes;
        try (InputStream in = TreeGuard.class.getResourceAsStream(PROGRAM)) {
            if (in == null) {
                throw new Unavailable("the guard program " + PROGRAM + " is missing from jbinfmt's jar");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("cannot read the guard program: " + e.getMessage());
        }
        int fd;
        try {
            try {
                fd = FileCalls.memfd(arena, PROGRAM, FileCalls.MFD_CLOEXEC | FileCalls.MFD_EXEC);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINVAL.code) {
                    throw e;
                }
                fd = FileCalls.memfd(arena, PROGRAM, FileCalls.MFD_CLOEXEC); // before Linux 6.3: no MFD_EXEC
            }
            MemorySegment buf = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long off = 0;
            while (off < bytes.length) {
                off += FileCalls.pwrite(fd, buf.asSlice(off), off);
            }
        } catch (ErrnoException e) {
            throw new Unavailable("cannot hold the guard program in a memfd: " + e.getMessage());
        }
        programFd = fd;
        return fd;
    }

    private final int pid;
    private final int lifeline;
    private final int command;
    private final int heldSignal;
    private final MemorySegment report;
    private volatile boolean ended;

    private TreeGuard(int pid, int lifeline, int command, int heldSignal, Arena arena) {
        this.pid = pid;
        this.lifeline = lifeline;
        this.command = command;
        this.heldSignal = heldSignal;
        this.report = arena.allocate(4, 4);
    }

    /**
     * What {@link #fork} made: the command, traced from birth and stopped, with the injector that sets it up, and
     * the guard, still ours and paused, to {@link Forked#release} or {@link Forked#abandon}.
     */
    public static final class Forked {
        private final Arch arch;
        private final int guard;
        private final SyscallInjector guardCalls;
        private final Plan plan;
        private final int command;
        private final SyscallInjector commandCalls;

        private Forked(Arch arch, int guard, SyscallInjector guardCalls, Plan plan, int command,
                       SyscallInjector commandCalls) {
            this.arch = arch;
            this.guard = guard;
            this.guardCalls = guardCalls;
            this.plan = plan;
            this.command = command;
            this.commandCalls = commandCalls;
        }

        public int command() {
            return command;
        }

        SyscallInjector commandCalls() {
            return commandCalls;
        }

        /**
         * Tells the guard the command's pid, gives it a process group of its own and execs the guard program in it;
         * lets it go. Returns the running guard.
         */
        TreeGuard release(Arena arena) throws ErrnoException, SpawnException {
            MemorySegment pidBytes = arena.allocate(4, 4);
            pidBytes.set(ValueLayout.JAVA_INT, 0, command);
            FileCalls.write(plan.lifeline(), pidBytes); // read by the guard first; buffered until then
            check("setpgid(0, 0)", guardCalls.call(arch.setpgid(), 0, 0));
            check("fcntl(F_SETFD)", guardCalls.call(arch.fcntl(), plan.guardEnd(), F_SETFD, 0));
            for (long[] range : plan.closeRanges()) {
                check("close_range", guardCalls.call(arch.closeRange(), range[0], range[1], 0));
            }
            check("execveat(" + PROGRAM + ")", guardCalls.call(arch.nativeAbi().execveat(), plan.program(),
                    plan.emptyPath().address(), plan.argv().address(), plan.envp().address(),
                    FileCalls.AT_EMPTY_PATH));
            Ptrace.detach(guard, 0);
            int held = guardCalls.pendingSignal() != Signals.SIGCHLD ? guardCalls.pendingSignal() : 0;
            return new TreeGuard(guard, plan.lifeline(), command, held, arena);
        }

        /** The tree runs without a guard after all (the ptrace engine): the guard is killed, the command kept. */
        void abandon() {
            Spawner.killAndReap(guard);
        }

        /** Set-up failed: the guard and the command are killed (the command first: it is the guard's child). */
        void kill() {
            Spawner.killAndReap(command);
            abandon();
        }

        private void check(String what, long result) throws SpawnException {
            if (arch.isError(result)) {
                throw new SpawnException("cannot start jbinfmt's guard: " + what + ": "
                        + Errno.describe((int) -result), 0);
            }
        }
    }

    /**
     * Makes the guard's part in the root {@code guard} (seized, paused, with PTRACE_O_TRACEFORK): it becomes a child
     * subreaper, then forks the command, which is given the root's options (no auto-attach of its children).
     */
    static Forked fork(Arch arch, int guard, SyscallInjector guardCalls, Plan plan, long syscallPc, Arena arena)
            throws ErrnoException, SpawnException {
        long r = guardCalls.call(arch.prctl(), PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        if (arch.isError(r)) {
            throw new SpawnException("cannot make jbinfmt's guard a child subreaper: " + Errno.describe((int) -r), 0);
        }
        SyscallInjector.NewProcess made = guardCalls.fork(arch.cloneProcess(), arena.allocate(8), Signals.SIGCHLD,
                0, 0, 0, 0);
        if (arch.isError(made.result())) {
            throw new SpawnException("cannot create a process: clone in jbinfmt's guard: "
                    + Errno.describe((int) -made.result()), 0);
        }
        SyscallInjector commandCalls = Spawner.stopped(arch, made.pid(), syscallPc, arena, d -> { });
        Ptrace.setOptions(made.pid(), Spawner.NOTIFY_ROOT_OPTIONS);
        return new Forked(arch, guard, guardCalls, plan, made.pid(), commandCalls);
    }

    /** The guard's pid (the command's parent). */
    public int pid() {
        return pid;
    }

    /** A signal held back from the guard while it was set up (a Ctrl-C typed meanwhile), for the command; or 0. */
    public int heldSignal() {
        return heldSignal;
    }

    /**
     * Once the tree has ended (the listener hung up): the command's end as the guard reaped it, then the guard's own
     * end, reaped here. Null if the guard never reported it (it was killed: then the tree may live on).
     */
    public StopEvent awaitEnd() {
        StopEvent end = null;
        try {
            long got = 0;
            while (got < 4) {
                long n = FileCalls.read(lifeline, report.asSlice(got));
                if (n == 0) {
                    break;
                }
                got += n;
            }
            if (got == 4) {
                end = WaitStatusDecoder.decode(command, report.get(ValueLayout.JAVA_INT, 0));
            }
        } catch (ErrnoException e) {
            // the guard is gone without a word
        }
        try (Arena a = Arena.ofConfined()) {
            Wait.wait(pid, Wait.WALL, a.allocate(4));
        } catch (ErrnoException e) {
            // reaped already
        }
        ended = true;
        return end;
    }

    /** Ends the tree: the guard reads end of file and kills every process of it. Safe from any thread. */
    public void kill() {
        if (!ended) {
            FileCalls.shutdownWrite(lifeline);
        }
    }

    /** Closes the lifeline: a guard still running kills the tree. */
    @Override
    public void close() {
        ended = true;
        FileCalls.close(lifeline);
    }
}
