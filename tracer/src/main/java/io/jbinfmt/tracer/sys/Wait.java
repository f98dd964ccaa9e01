package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** wait4(2) for the tracer thread, and the wait-status macros of {@code <sys/wait.h>} as Java. */
public final class Wait {
    /** Wait for clones (threads) as well as processes. */
    public static final int WALL = Libc.__WALL();
    /** Wait only for children and tracees of the calling thread, never for other JVM threads' children. */
    public static final int WNOTHREAD = Libc.__WNOTHREAD();
    public static final int WNOHANG = Libc.WNOHANG();

    private Wait() {
    }

    /**
     * wait4(pid, &status, flags, NULL), retried on EINTR. Returns the tid that changed state (its status is
     * in {@code status[0]}), or 0 for WNOHANG with nothing to report.
     */
    public static int wait(int pid, int flags, MemorySegment status) throws ErrnoException {
        return wait(pid, flags, status, null);
    }

    /**
     * As {@link #wait(int, int, MemorySegment)}, and when a process (or thread) ended, its {@link ResourceUsage}
     * in {@code usage} (null: not asked; the kernel then skips it).
     */
    public static int wait(int pid, int flags, MemorySegment status, MemorySegment usage) throws ErrnoException {
        long usageAddress = usage == null ? 0 : usage.address();
        while (true) {
            long r = Syscall.raw(Syscall.WAIT4, pid, status.address(), flags, usageAddress);
            if (r >= 0) {
                return (int) r;
            }
            if (r != -Errno.EINTR.code) {
                throw new ErrnoException("wait4(" + pid + ")", (int) -r);
            }
        }
    }

    /** The int a wait reported. */
    public static int status(MemorySegment status) {
        return status.get(ValueLayout.JAVA_INT, 0);
    }

    public static boolean exited(int status) {
        return (status & 0x7f) == 0;
    }

    public static int exitCode(int status) {
        return (status >> 8) & 0xff;
    }

    public static boolean signaled(int status) {
        int low = status & 0x7f;
        return low != 0 && low != 0x7f;
    }

    public static int termSignal(int status) {
        return status & 0x7f;
    }

    public static boolean coreDumped(int status) {
        return (status & 0x80) != 0;
    }

    public static boolean stopped(int status) {
        return (status & 0xff) == 0x7f;
    }

    /** WSTOPSIG: for a ptrace syscall stop with TRACESYSGOOD this is {@code SIGTRAP | 0x80}. */
    public static int stopSignal(int status) {
        return (status >> 8) & 0xff;
    }

    /** The PTRACE_EVENT_* of a ptrace event stop, 0 for other stops. */
    public static int ptraceEvent(int status) {
        return (status >>> 16) & 0xff;
    }

}
