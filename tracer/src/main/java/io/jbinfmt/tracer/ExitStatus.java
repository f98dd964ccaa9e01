package io.jbinfmt.tracer;

/**
 * How the command ended: its exit code, or the signal that killed it.
 *
 * @param code       the exit code when {@code signal == 0}
 * @param signal     the terminating signal, or 0 when the command exited
 * @param coreDumped whether the signal dumped core
 */
public record ExitStatus(int code, int signal, boolean coreDumped) {

    public static ExitStatus exited(int code) {
        return new ExitStatus(code, 0, false);
    }

    public static ExitStatus killed(int signal, boolean coreDumped) {
        return new ExitStatus(0, signal, coreDumped);
    }

    /** The status a shell reports: the exit code, or 128 + the signal number. */
    public int shellStatus() {
        return signal == 0 ? code : 128 + signal;
    }

    public boolean killedBySignal() {
        return signal != 0;
    }
}
