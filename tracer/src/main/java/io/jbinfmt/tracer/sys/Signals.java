package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** Signal numbers the tracer reasons about, and kill(2). */
public final class Signals {
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
        Syscall.call("kill(" + pid + ", " + signal + ")", Syscall.KILL, pid, signal, 0, 0);
    }

    /** The signals whose default action stops a process: a ptrace event stop with one of them is a group-stop. */
    public static boolean isStopSignal(int signal) {
        return signal == SIGSTOP || signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;
    }

}
