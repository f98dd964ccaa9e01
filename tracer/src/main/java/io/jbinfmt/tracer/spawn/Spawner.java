package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.ptrace.SyscallInjector;

import io.jbinfmt.bindings.libc.Libc;
import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.ptrace.Resume;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.ThreadWait;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Pidfd;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.SeccompNotify;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Starts the root tracee with no Java code in the child: libc's clone() runs libc's pause() in a copy of our
 * address space; we seize and interrupt it, then inject, one by one, the syscalls that turn it into the
 * command: prctl(NO_NEW_PRIVS) when not root, seccomp(filter), chdir when asked, close_range over every
 * descriptor above 2 but those passed on (so no JVM descriptor leaks), rt_sigprocmask(unblock all), and execve. The
 * execve is released with PTRACE_CONT: it stops at the filter like every later exec, so the event loop, not this
 * class, sees the command's exec. Under the kernel engine the filter is replaced by a private binfmt_misc
 * ({@link KernelRegistration}) and the execve is the kernel's alone; where no cgroup holds the tree, the command is
 * not the root but the child of a PID namespace's init ({@link PidNamespaceInit}), and the steps from chdir on are
 * its own. Must run on the session's tracer thread, which becomes the child's parent and tracer.
 */
public final class Spawner {
    /**
     * Options for every tracee (children inherit them). No TRACEEXEC: a seized tracee gets no SIGTRAP after exec
     * without it, and an exec event stop on every exec would cost as much as the seccomp stop itself. A policy
     * that needs the exec event (to edit the new program's auxv) turns it on for that one tracee.
     */
    public static final int OPTIONS = Ptrace.O_TRACESYSGOOD | Ptrace.O_TRACEFORK | Ptrace.O_TRACEVFORK
            | Ptrace.O_TRACECLONE | Ptrace.O_TRACESECCOMP | Ptrace.O_EXITKILL;
    /**
     * Options for the root under a notifying filter: nothing auto-attached (its children are never traced); the
     * exec event says when its own exec has succeeded, after which it is let go.
     */
    public static final int NOTIFY_ROOT_OPTIONS = Ptrace.O_TRACESYSGOOD | Ptrace.O_TRACEEXEC | Ptrace.O_EXITKILL;

    /**
     * What {@link #spawn} made.
     *
     * @param pid          the root's pid (seized, its execve started under PTRACE_SYSCALL, past the entry stop)
     * @param listener     our descriptor for the filter's notification listener, or -1 for a tracing filter
     * @param notifyRefused a notifying filter was asked for but refused with this errno (EBUSY: the tree has a
     *                     listener already; EINVAL: a kernel without it or its killable wait): the tracing filter
     *                     was installed instead, and the root has the tracing engine's options. 0: not refused
     * @param heldSignal   a signal that arrived during set-up, to deliver once the command's exec has succeeded
     *                     (0: none)
     * @param init         the kernel engine without a cgroup: the init of the command's PID namespace (the
     *                     command's parent; {@code pid} is the command's pid as we see it); else null
     * @param guard        the notify engine's guard, the command's parent ({@link TreeGuard}); null under the
     *                     others, and when the kernel refused the notifying filter
     */
    public record Spawned(int pid, int listener, int notifyRefused, int heldSignal, PidNamespaceInit init,
                          TreeGuard guard) {
    }

    private static final int SECCOMP_SET_MODE_FILTER = Libc.SECCOMP_SET_MODE_FILTER();
    private static final int PR_SET_NO_NEW_PRIVS = Libc.PR_SET_NO_NEW_PRIVS();
    private static final long SIG_SETMASK = 2;
    private static final long KERNEL_SIGSET_SIZE = 8;

    private Spawner() {
    }

    /** Clones, seizes and sets up the root; returns it with its exec released. */
    public static Spawned spawn(Arch arch, SpawnPlan plan, Arena arena) throws SpawnException {
        long syscallPc = syscallInstruction(arch);
        int pid;
        try {
            pid = ProcessCalls.clone(ProcessCalls.pauseAddress(), plan.stackTop(), Signals.SIGCHLD);
        } catch (ErrnoException e) {
            throw new SpawnException("cannot create a process: " + e.getMessage(), e);
        }
        boolean root = !plan.noNewPrivs(); // only a non-root tracer needs no_new_privs
        PidNamespaceInit init = null;
        TreeGuard.Forked guarded = null;
        TreeGuard guard = null;
        int command = pid;
        try {
            SyscallInjector inject = seizePaused(arch, pid, plan.guard() != null
                    ? NOTIFY_ROOT_OPTIONS | Ptrace.O_TRACEFORK : plan.filter() == null || plan.notifying()
                    ? NOTIFY_ROOT_OPTIONS : OPTIONS, syscallPc, arena, root);
            if (plan.guard() != null) {
                // the root becomes the guard; the command is its child
                guarded = TreeGuard.fork(arch, pid, inject, plan.guard(), syscallPc, arena);
                command = guarded.command();
                inject = guarded.commandCalls();
            }
            if (plan.binfmt() != null) {
                // the kernel engine: no filter; the rules go to a private binfmt_misc, the exec is the kernel's
                init = KernelRegistration.setUp(arch, pid, inject, plan.binfmt(), syscallPc, arena);
                if (init != null) {
                    // the root's part is over: the command is the child of the namespace's init, which is ours
                    killAndReap(pid);
                    command = init.command();
                    inject = init.commandInjector();
                }
            } else if (plan.noNewPrivs()) {
                refusedUnless(HostRefusedException.Refused.NO_NEW_PRIVS, arch, root,
                        inject.call(arch.prctl(), PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
            }
            int flags = plan.notifying()
                    ? SeccompNotify.FILTER_FLAG_NEW_LISTENER | SeccompNotify.FILTER_FLAG_WAIT_KILLABLE_RECV : 0;
            long installed = plan.filter() == null ? 0
                    : inject.call(arch.seccomp(), SECCOMP_SET_MODE_FILTER, flags, plan.filter().address());
            int notifyRefused = plan.notifying() && plan.tracingFilter() != null
                    && (installed == -Errno.EBUSY.code || installed == -Errno.EINVAL.code) ? (int) -installed : 0;
            if (notifyRefused != 0) {
                // a listener up the tree already (one per filter chain), or an older kernel: trace instead
                Ptrace.setOptions(command, OPTIONS);
                installed = inject.call(arch.seccomp(), SECCOMP_SET_MODE_FILTER, 0, plan.tracingFilter().address());
            }
            refusedUnless(HostRefusedException.Refused.SECCOMP, arch, root, installed);
            boolean notifying = plan.notifying() && notifyRefused == 0;
            int listener = notifying ? takeListener(command, (int) installed) : -1;
            if (guarded != null) {
                TreeGuard.Forked g = guarded;
                guarded = null;
                if (notifying) {
                    guard = g.release(arena);
                } else {
                    g.abandon(); // the ptrace engine's EXITKILL holds the tree; the command is the root now
                    pid = command;
                }
            }
            if (plan.directory() != null) {
                check("chdir", arch, inject.call(arch.chdir(), plan.directory().address()));
            }
            for (int[] r : plan.redirects()) {
                if (r[0] != r[1]) {
                    check("dup3(" + r[0] + ", " + r[1] + ")", arch, inject.call(arch.dup3(), r[0], r[1], 0));
                }
            }
            for (long[] range : plan.closeRanges()) {
                check("close_range(" + range[0] + ", " + range[1] + ")", arch,
                        inject.call(arch.closeRange(), range[0], range[1], 0));
            }
            check("rt_sigprocmask(SIG_SETMASK, {})", arch,
                    inject.call(arch.rtSigprocmask(), SIG_SETMASK, plan.emptySigset().address(), 0, KERNEL_SIGSET_SIZE));
            // through the execve's entry stop: the filter's stop or notification must come next, and the exit stop
            // after it shows whether the command could be exec'd
            inject.startTraced(arch.nativeAbi().execve(), plan.path().address(), plan.argv().address(),
                    plan.envp().address());
            int held = inject.pendingSignal() != 0 ? inject.pendingSignal()
                    : init != null ? init.heldSignal() : guard != null ? guard.heldSignal() : 0;
            return new Spawned(command, listener, notifyRefused, held, init, guard);
        } catch (ErrnoException | SpawnException | RuntimeException e) {
            if (guarded != null) {
                guarded.kill();
            } else if (guard != null) {
                killAndReap(command); // traced still: ours to reap first, then the guard's, which then ends
                guard.awaitEnd(); // its lifeline is the plan's, closed by the caller
            } else if (init != null) {
                init.kill(); // the root is reaped already; the command dies with the namespace
            } else {
                killAndReap(pid);
            }
            if (e instanceof SpawnException se) {
                throw se;
            }
            throw new SpawnException("cannot set up the traced process: " + e.getMessage(), e);
        }
    }

    /**
     * Seizes {@code pid}, a fresh clone sitting in libc's pause(), with {@code options}, and stops it: returns the
     * injector that drives it.
     */
    static SyscallInjector seizePaused(Arch arch, int pid, int options, long syscallPc, Arena arena, boolean root)
            throws ErrnoException, SpawnException {
        try {
            Ptrace.seize(pid, options);
        } catch (ErrnoException e) {
            throw HostRefusal.exception(HostRefusedException.Refused.PTRACE, e.errno(), root);
        }
        Ptrace.interrupt(pid);
        return stopped(arch, pid, syscallPc, arena, death -> { });
    }

    /**
     * Waits for traced process {@code pid}'s PTRACE_EVENT_STOP (our interrupt, or a new child's first stop) and
     * returns the injector that drives it; {@code deaths} hears of its death if it dies while driven.
     */
    static SyscallInjector stopped(Arch arch, int pid, long syscallPc, Arena arena,
                                   Consumer<StopEvent> deaths) throws ErrnoException {
        MemorySegment status = arena.allocate(4);
        new ThreadWait(status, deaths).await(pid, StopEvent.Interrupted.class, Resume.CONTINUE);
        Registers regs = new Registers(arch, arena);
        regs.fetch(pid);
        return new SyscallInjector(arch, arch.nativeAbi(), pid, regs, syscallPc, status, deaths);
    }

    /** The address of a syscall instruction in libc's syscall(), to run injected calls on. */
    static long syscallInstruction(Arch arch) {
        MemorySegment syscallFn = ProcessCalls.syscallFunctionAddress().reinterpret(64);
        return syscallFn.address() + arch.findSyscallInstruction(syscallFn);
    }

    /**
     * Copies the listener the injected seccomp call returned in the child (descriptor {@code childFd}) into our
     * process. The child's copy is close-on-exec: the command never sees it.
     */
    private static int takeListener(int pid, int childFd) throws ErrnoException {
        int pidfd = Pidfd.open(pid);
        try {
            return Pidfd.getfd(pidfd, childFd);
        } finally {
            FileCalls.close(pidfd);
        }
    }

    private static void check(String what, Arch arch, long result) throws SpawnException {
        if (arch.isError(result)) {
            // errno 0: it is our set-up that failed, not the command's exec
            throw new SpawnException(what + " failed in the traced process: " + Errno.describe((int) -result), 0);
        }
    }

    private static void refusedUnless(HostRefusedException.Refused what, Arch arch, boolean root, long result)
            throws SpawnException {
        if (arch.isError(result)) {
            throw HostRefusal.exception(what, (int) -result, root);
        }
    }

    /** Kills and reaps the root (our child and tracee) when it cannot be run. */
    public static void killAndReap(int pid) {
        try {
            Signals.kill(pid, Signals.SIGKILL);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment status = a.allocate(4);
                int st;
                do {
                    Wait.wait(pid, Wait.WALL, status);
                    st = Wait.status(status);
                } while (!Wait.exited(st) && !Wait.signaled(st));
            }
        } catch (ErrnoException ignored) {
            // already gone and reaped
        }
    }
}
