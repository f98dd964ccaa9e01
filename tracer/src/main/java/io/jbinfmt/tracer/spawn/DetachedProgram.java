package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.host.TreeCgroup;
import io.jbinfmt.tracer.ptrace.SyscallInjector;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Starts a helper program (the cgroup's watchdog) as the root is started, with no Java code in the child and no
 * helper process of the JVM's (ProcessBuilder's jspawnhelper and a setsid cost ~50 ms of start-up): libc's clone
 * runs pause(), we seize the child and inject setsid, its descriptors (stdin the other end of a lifeline socket
 * pair, stdout and stderr /dev/null, nothing else), an unblocked signal mask and the execve, then let it go. It
 * is our child; {@link TreeCgroup.Watchdog#close} reaps it.
 */
public final class DetachedProgram {
    private static final long STACK_SIZE = 16 * 1024;
    /** What a shell needs to find rmdir and sleep; the helper gets no other environment. */
    private static final byte[] PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".getBytes();

    private DetachedProgram() {
    }

    /** Starts {@code argv} (its first element the program's path) in a session of its own; returns it running. */
    public static TreeCgroup.Watchdog start(List<byte[]> argv) throws SpawnException {
        Arch arch = Arch.host();
        int[] pair;
        int devNull;
        try {
            pair = FileCalls.socketPair();
        } catch (ErrnoException e) {
            throw new SpawnException("cannot make the lifeline of " + new String(argv.getFirst()) + ": "
                    + e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            devNull = FileCalls.open("/dev/null".getBytes(), FileCalls.O_RDWR | FileCalls.O_CLOEXEC, 0);
            try {
                int pid = run(arch, arena, argv, pair[1], devNull);
                return new TreeCgroup.Watchdog(pid, pair[0]);
            } finally {
                FileCalls.close(devNull);
            }
        } catch (ErrnoException | SpawnException | RuntimeException e) {
            FileCalls.close(pair[0]);
            throw e instanceof SpawnException se ? se
                    : new SpawnException("cannot start " + new String(argv.getFirst()) + ": " + e.getMessage(), e);
        } finally {
            FileCalls.close(pair[1]);
        }
    }

    private static int run(Arch arch, Arena arena, List<byte[]> argv, int lifeline, int devNull)
            throws ErrnoException, SpawnException {
        // laid out before the clone: the child's copy of our memory holds them at the same addresses
        MemorySegment stackTop = arena.allocate(STACK_SIZE, 16).asSlice(STACK_SIZE);
        MemorySegment path = FileCalls.cString(arena, argv.getFirst());
        MemorySegment argvArray = SpawnPlan.pointerArray(arena, argv);
        MemorySegment envp = SpawnPlan.pointerArray(arena, List.of(PATH));
        MemorySegment emptySigset = arena.allocate(Spawner.KERNEL_SIGSET_SIZE);
        long syscallPc = Spawner.syscallInstruction(arch);
        int pid = ProcessCalls.clone(ProcessCalls.pauseAddress(), stackTop, Signals.SIGCHLD);
        try {
            SyscallInjector inject = Spawner.seizePaused(arch, pid, Ptrace.O_TRACESYSGOOD | Ptrace.O_EXITKILL,
                    syscallPc, arena, ProcessCalls.geteuid() == 0);
            check(arch, "setsid", inject.call(arch.setsid()));
            check(arch, "dup3", inject.call(arch.dup3(), lifeline, 0, 0));
            check(arch, "dup3", inject.call(arch.dup3(), devNull, 1, 0));
            check(arch, "dup3", inject.call(arch.dup3(), devNull, 2, 0));
            check(arch, "close_range", inject.call(arch.closeRange(), 3, 0xffff_ffffL, 0));
            check(arch, "rt_sigprocmask", inject.call(arch.rtSigprocmask(), Spawner.SIG_SETMASK,
                    emptySigset.address(), 0, Spawner.KERNEL_SIGSET_SIZE));
            check(arch, "execve", inject.call(arch.nativeAbi().execve(), path.address(), argvArray.address(),
                    envp.address()));
            // a signal that came meanwhile (a Ctrl-C for the command) is not the helper's: it ignores them anyway
            Ptrace.detach(pid, 0);
            return pid;
        } catch (ErrnoException | SpawnException | RuntimeException e) {
            Spawner.killAndReap(pid);
            throw e;
        }
    }

    private static void check(Arch arch, String what, long result) throws SpawnException {
        if (arch.isError(result)) {
            throw new SpawnException(what + " failed in the new process: " + Errno.describe((int) -result), 0);
        }
    }
}
