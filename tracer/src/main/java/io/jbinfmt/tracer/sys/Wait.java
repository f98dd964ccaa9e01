package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** wait4(2) for the tracer thread, and the wait-status macros of {@code <sys/wait.h>} as Java. */
public final class Wait {
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class Wait4Call {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.wait4$address(), Libc.wait4$descriptor());
    }

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
        MemorySegment errno = CapturedErrno.buffer();
        while (true) {
            int r;
            try {
                r = (int) Wait4Call.HANDLE.invokeExact(errno, pid, status, flags, MemorySegment.NULL);
            } catch (Throwable t) {
                throw CapturedErrno.rethrow(t);
            }
            if (r >= 0) {
                return r;
            }
            int e = CapturedErrno.errno(errno);
            if (e != Errno.EINTR.code) {
                throw new ErrnoException("wait4(" + pid + ")", e);
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

    /** Links every native call of this class now (see {@code Warmup}); otherwise each links on first use. */
    public static void linkAll() {
        Objects.requireNonNull(Wait4Call.HANDLE);
    }
}
