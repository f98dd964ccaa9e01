package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** Signal numbers the tracer reasons about, and kill(2). */
public final class Signals {
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class KillCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.kill$address(), Libc.kill$descriptor());
    }

    public static final int SIGKILL = Libc.SIGKILL();
    public static final int SIGSTOP = Libc.SIGSTOP();
    public static final int SIGTSTP = Libc.SIGTSTP();
    public static final int SIGTTIN = Libc.SIGTTIN();
    public static final int SIGTTOU = Libc.SIGTTOU();
    public static final int SIGTRAP = Libc.SIGTRAP();
    public static final int SIGCHLD = Libc.SIGCHLD();
    public static final int SIGCONT = Libc.SIGCONT();

    private Signals() {
    }

    /** kill(pid, signal); pid may be negative for a process group. */
    public static void kill(int pid, int signal) throws ErrnoException {
        MemorySegment errno = CapturedErrno.buffer();
        int r;
        try {
            r = (int) KillCall.HANDLE.invokeExact(errno, pid, signal);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (r != 0) {
            throw new ErrnoException("kill(" + pid + ", " + signal + ")", CapturedErrno.errno(errno));
        }
    }

    /** The signals whose default action stops a process: a ptrace event stop with one of them is a group-stop. */
    public static boolean isStopSignal(int signal) {
        return signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;
    }

    /** Links every native call of this class now (see {@code Warmup}); otherwise each links on first use. */
    public static void linkAll() {
        Objects.requireNonNull(KillCall.HANDLE);
    }
}
