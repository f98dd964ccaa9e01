package io.jbinfmt.tracer;

/**
 * The command could not be started: not found, not executable, or the traced process could not be set up.
 * {@link #errno()} is the exec's errno when the kernel refused the command itself, else 0.
 */
public class SpawnException extends Exception {
    private final int errno;

    public SpawnException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public SpawnException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    public int errno() {
        return errno;
    }
}
