package io.jbinfmt.cli;

/** Signal numbers as names (SIGSEGV) for logs and reports; the numbering of x86, arm and risc-v Linux. */
final class SignalNames {
    private static final String[] NAMES = {null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
            "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
            "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
            "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};

    private SignalNames() {
    }

    /** SIGSEGV for 11; SIGRTMIN+k for real-time signals (SIGRTMIN is 34 as the kernel counts); else SIG<n>. */
    static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) {
            return NAMES[signal];
        }
        return signal >= 34 && signal <= 64 ? "SIGRTMIN+" + (signal - 34) : "SIG" + signal;
    }
}
