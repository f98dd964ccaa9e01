package io.jbinfmt.tracer.ptrace;

/**
 * What a wait status reported for one tracee, per ptrace(2). Each kind's Javadoc says how the tracee must be
 * restarted; the event loop is the one place that does it.
 */
public sealed interface StopEvent {
    /** The thread that reported. */
    int tid();

    /** Whether the thread is gone: it exited or was killed. */
    default boolean ended() {
        return this instanceof Exited || this instanceof Killed;
    }

    /** The thread exited with {@code code}. It is gone: no restart; forget it. */
    record Exited(int tid, int code) implements StopEvent {
    }

    /** The thread was killed by {@code signal}. It is gone: no restart; forget it. */
    record Killed(int tid, int signal, boolean coreDumped) implements StopEvent {
    }

    /**
     * PTRACE_EVENT_SECCOMP: the filter returned TRACE, i.e. an execve/execveat is about to run. The TRACE data is
     * in PTRACE_GETEVENTMSG. Restart with PTRACE_CONT (the syscall then runs as the registers say now).
     */
    record Seccomp(int tid) implements StopEvent {
    }

    /**
     * A syscall-entry or -exit stop (SIGTRAP | 0x80 with TRACESYSGOOD); only seen while we asked for it with
     * PTRACE_SYSCALL. Restart with PTRACE_CONT, or PTRACE_SYSCALL to see the next one.
     */
    record SyscallStop(int tid) implements StopEvent {
    }

    /**
     * PTRACE_EVENT_FORK/VFORK/CLONE: the tracee created a child, whose pid is in PTRACE_GETEVENTMSG and which is
     * traced already (it reports its own first stop, possibly before this one). Restart with PTRACE_CONT.
     */
    record NewChild(int tid, int event) implements StopEvent {
    }

    /**
     * PTRACE_EVENT_EXEC: an exec succeeded; PTRACE_GETEVENTMSG gives the tid that called it, which differs from
     * {@code tid} (the thread-group leader) when a non-leader thread exec'd: that old tid is gone, and so are the
     * group's other threads. Restart with PTRACE_CONT.
     */
    record Exec(int tid) implements StopEvent {
    }

    /**
     * A group-stop (PTRACE_EVENT_STOP with a stopping signal): the process is stopped by job control. Restart with
     * PTRACE_LISTEN so that it stays stopped, its parent sees it stopped, and SIGCONT can wake it.
     */
    record GroupStop(int tid, int signal) implements StopEvent {
    }

    /**
     * PTRACE_EVENT_STOP with SIGTRAP: a new child's first stop, or the end of a PTRACE_LISTEN, or our own
     * PTRACE_INTERRUPT. Nothing to deliver: restart with PTRACE_CONT.
     */
    record Interrupted(int tid) implements StopEvent {
    }

    /** A signal-delivery-stop: {@code signal} is about to be delivered. Restart with PTRACE_CONT and that signal. */
    record Signal(int tid, int signal) implements StopEvent {
    }

    /** Any other ptrace event (one we did not ask for). Restart with PTRACE_CONT. */
    record OtherEvent(int tid, int event) implements StopEvent {
    }
}
