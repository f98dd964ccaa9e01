package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.ptrace.SyscallInjector;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static io.jbinfmt.tracer.sys.NamespaceFlags.CLONE_NEWPID;
import static io.jbinfmt.tracer.sys.NamespaceFlags.CLONE_PARENT;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_NODEV;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_NOEXEC;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_NOSUID;
import static io.jbinfmt.tracer.sys.NamespaceFlags.PR_SET_NAME;

/**
 * The init (pid 1) of the command's own PID namespace, which the kernel engine makes where no cgroup can hold the
 * tree: the kernel kills every process of a PID namespace when its init dies, and this init is traced by the
 * session's thread for its whole life with PTRACE_O_EXITKILL, so jbinfmt's death (even by SIGKILL) kills the tree.
 * It runs no code of its own, only the calls injected here: made by clone(CLONE_NEWPID) in the root (as our
 * child), it mounts the namespace's /proc (so that getpid() and /proc agree for the command), forks the command
 * (pid 2), closes every descriptor, and then only reaps, by injected wait4 calls, until the namespace is empty: the
 * command's status is the one reaped for its pid, and daemons are waited for, as under a cgroup. Signals sent to it
 * are held back, never delivered. Driven on the session's tracer thread.
 */
public final class PidNamespaceInit {
    /** The init's name in ps and /proc/1/comm: else it shows the name of the JVM thread it was copied from. */
    private static final byte[] NAME = "jbinfmt-init".getBytes();
    /** The proc mount's flags, as a host's /proc has them. */
    private static final long PROC_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC;
    /** The kernel's internal restart codes (ERESTARTSYS..ERESTART_RESTARTBLOCK): a signal interrupted wait4. */
    private static final int FIRST_RESTART = 512;
    private static final int LAST_RESTART = 516;
    /** Bytes of a zeroed struct sigaction handed to rt_sigaction: SIG_DFL, no flags, no mask, on every arch. */
    private static final int SIGACTION_SIZE = 64;
    private static final long SIGSET_SIZE = 8;

    /**
     * What the init's calls point at, laid out in native memory before the root's clone (which copies it, and the
     * init is a copy of the root).
     *
     * @param proc          "proc", the mount's source and type
     * @param procDir       "/proc"
     * @param name          the init's name for prctl(PR_SET_NAME)
     * @param status        4 bytes the init's wait4 writes a status to
     * @param defaultAction a zeroed struct sigaction: SIG_DFL
     */
    public record Plan(MemorySegment proc, MemorySegment procDir, MemorySegment name, MemorySegment status,
                       MemorySegment defaultAction) {
        static Plan prepare(Arena arena) {
            return new Plan(FileCalls.cString(arena, "proc".getBytes()), FileCalls.cString(arena, "/proc".getBytes()),
                    FileCalls.cString(arena, NAME), arena.allocate(4, 4), arena.allocate(SIGACTION_SIZE, 8));
        }
    }

    private final Arch arch;
    private final int pid;
    private final SyscallInjector injector;
    private final Plan plan;
    private final boolean root;
    private final long syscallPc;
    private final Arena arena;
    private final MemorySegment waitStatus;
    private final MemorySegment message;
    private final int rootHeld;
    private StopEvent death;
    private int command;
    private long commandInNamespace;
    private SyscallInjector commandInjector;

    /** Takes over the new init {@code pid}, traced and on its way to its first stop. */
    private PidNamespaceInit(Arch arch, int pid, Plan plan, boolean root, long syscallPc, Arena arena,
                             MemorySegment message, int rootHeld) throws ErrnoException {
        this.arch = arch;
        this.pid = pid;
        this.plan = plan;
        this.root = root;
        this.syscallPc = syscallPc;
        this.arena = arena;
        this.waitStatus = arena.allocate(4);
        this.message = message;
        this.rootHeld = rootHeld;
        this.injector = Spawner.stopped(arch, pid, syscallPc, arena, d -> death = d);
    }

    /**
     * Makes the init: clone(CLONE_NEWPID|CLONE_PARENT) injected in the root ({@code rootPid}, driven by
     * {@code rootCalls}, in the user and mount namespaces that will hold the rules), which is given
     * PTRACE_O_TRACEFORK for it: the init is traced from birth, with the root's options (PTRACE_O_EXITKILL among
     * them). CLONE_PARENT makes it our child, not the root's: the root can end at once, and the init's end is reaped
     * here, not left as a zombie to whatever reaps the host's orphans.
     */
    static PidNamespaceInit fork(Arch arch, int rootPid, SyscallInjector rootCalls, Plan plan, boolean root,
                                 long syscallPc, Arena arena) throws ErrnoException, SpawnException {
        Ptrace.setOptions(rootPid, Spawner.NOTIFY_ROOT_OPTIONS | Ptrace.O_TRACEFORK);
        MemorySegment message = arena.allocate(8);
        SyscallInjector.NewProcess made = rootCalls.fork(arch.cloneProcess(), message,
                CLONE_NEWPID | CLONE_PARENT | Signals.SIGCHLD, 0, 0, 0, 0);
        if (arch.isError(made.result())) {
            throw KernelRefusal.exception(HostRefusedException.Refused.PID_NAMESPACE, "clone(CLONE_NEWPID)",
                    (int) -made.result(), root);
        }
        return new PidNamespaceInit(arch, made.pid(), plan, root, syscallPc, arena, message, rootCalls.pendingSignal());
    }

    /** Our pid for the init. */
    public int pid() {
        return pid;
    }

    /** The injector that drives the init, for the set-up steps it shares with the root ({@link KernelRegistration}). */
    SyscallInjector calls() {
        return injector;
    }

    /**
     * Mounts the namespace's own /proc over the host's, and names the init. Refused where the host masks parts of
     * /proc (mount_too_revealing): the command would otherwise see a /proc that is not its namespace's.
     */
    void mountProc() throws ErrnoException, SpawnException {
        long r = injector.call(arch.mount(), plan.proc().address(), plan.procDir().address(), plan.proc().address(),
                PROC_FLAGS, 0);
        if (arch.isError(r)) {
            throw KernelRefusal.exception(HostRefusedException.Refused.PROC_MOUNT, "mount proc on /proc", (int) -r, root);
        }
        check("prctl(PR_SET_NAME)", injector.call(arch.prctl(), PR_SET_NAME, plan.name().address(), 0, 0, 0));
    }

    /**
     * Forks the command (pid 2), traced from birth like the init, then lets go of everything the init does not
     * need: every descriptor (it holds a copy of all the JVM's), and a SIGCHLD the JVM may ignore (then the kernel
     * would reap the command without wait4 seeing its status). After the fork, so the command inherits both as the
     * other engines' commands do.
     */
    void forkCommand() throws ErrnoException, SpawnException {
        SyscallInjector.NewProcess made = injector.fork(arch.cloneProcess(), message, Signals.SIGCHLD, 0, 0, 0, 0);
        check("clone (the command's fork)", made.result());
        command = made.pid();
        commandInNamespace = made.result();
        commandInjector = Spawner.stopped(arch, command, syscallPc, arena, d -> { });
        check("close_range(0, ~0)", injector.call(arch.closeRange(), 0, 0xFFFF_FFFFL, 0));
        check("rt_sigaction(SIGCHLD, SIG_DFL)", injector.call(arch.rtSigaction(), Signals.SIGCHLD,
                plan.defaultAction().address(), 0, SIGSET_SIZE));
    }

    /** The command's pid as we see it (its pid in the namespace is 2). */
    public int command() {
        return command;
    }

    /** The injector that drives the command up to its exec. */
    SyscallInjector commandInjector() {
        return commandInjector;
    }

    /**
     * A signal held back from the root or the init during set-up (a Ctrl-C that reached the whole process group
     * before the command existed), for the command; not SIGCHLD, which was the init's own news.
     */
    int heldSignal() {
        int held = injector.pendingSignal();
        return held != 0 && held != Signals.SIGCHLD ? held : rootHeld;
    }

    /**
     * Reaps every process the init inherits, by injected wait4(-1, __WALL) calls, until it has no child left (the
     * namespace is empty, daemons included); returns the command's end, decoded from the status the init's wait4
     * wrote. If the init is killed meanwhile (jbinfmt was asked to end the tree), the namespace died with it: then
     * the command's end if it was reaped before, else the init's death.
     */
    public StopEvent reap() throws ErrnoException {
        StopEvent end = null;
        TraceeMemory memory = new TraceeMemory(arena);
        try {
            while (true) {
                long r = injector.call(arch.wait4(), -1, plan.status().address(), Wait.WALL, 0);
                if (r == -Errno.ECHILD.code) {
                    if (end == null) {
                        throw new IllegalStateException("the PID namespace emptied without reaping the command");
                    }
                    return end;
                }
                if (arch.isError(r)) {
                    int errno = (int) -r;
                    if (errno == Errno.EINTR.code || (errno >= FIRST_RESTART && errno <= LAST_RESTART)) {
                        continue; // a signal reached the init: it is held back; wait on
                    }
                    throw new ErrnoException("wait4 in the PID namespace's init", errno);
                }
                if (r == commandInNamespace) {
                    byte[] status = memory.read(pid, plan.status().address(), 4);
                    end = WaitStatusDecoder.decode(command,
                            ByteBuffer.wrap(status).order(ByteOrder.nativeOrder()).getInt());
                }
            }
        } catch (ErrnoException e) {
            if (!e.isGone() || death == null) {
                throw e;
            }
            return end != null ? end : death;
        }
    }

    /**
     * Kills the init, and with it every process of the namespace, and reaps what we trace. Waits for any tracee of
     * this thread, not for the init alone: the kernel holds the init's exit until the namespace's processes we still
     * trace (the command before its exec) are reaped, by us.
     */
    public void kill() {
        if (death != null) {
            return; // reaped already, and its pid may be another process's now
        }
        try {
            Signals.kill(pid, Signals.SIGKILL);
            while (true) {
                int who = Wait.wait(-1, Wait.WALL | Wait.WNOTHREAD, waitStatus);
                StopEvent e = WaitStatusDecoder.decode(who, Wait.status(waitStatus));
                if (who == pid && (e.ended())) {
                    death = e;
                    return;
                }
            }
        } catch (ErrnoException e) {
            // ECHILD: nothing of ours is left
        }
    }

    private void check(String what, long result) throws SpawnException {
        if (arch.isError(result)) {
            throw new SpawnException("--engine kernel: " + what + " failed in the PID namespace's init: "
                    + Errno.describe((int) -result), 0);
        }
    }
}
