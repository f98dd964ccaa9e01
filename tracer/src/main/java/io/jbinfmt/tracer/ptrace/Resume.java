package io.jbinfmt.tracer.ptrace;

/**
 * How the event loop restarts a stopped tracee once a handler is done with the stop. Handlers return it and only
 * the loop applies it, so every stop is restarted exactly once, the way that stop needs.
 */
public sealed interface Resume {
    /** PTRACE_CONT, delivering {@code signal} (0: none). */
    record Continue(int signal) implements Resume {
    }

    /** PTRACE_SYSCALL: the handler needs to see this syscall's exit stop. */
    record ToSyscallExit() implements Resume {
    }

    /** PTRACE_LISTEN: a group-stopped tracee stays stopped until SIGCONT, yet its events are reported. */
    record Listen() implements Resume {
    }

    /** Continue without a signal. */
    Resume CONTINUE = new Continue(0);
    /** Resume to the syscall's exit stop. */
    Resume TO_SYSCALL_EXIT = new ToSyscallExit();
    /** Listen. */
    Resume LISTEN = new Listen();

    /** Continue, delivering {@code signal} (0: none). */
    static Resume delivering(int signal) {
        return signal == 0 ? CONTINUE : new Continue(signal);
    }
}
