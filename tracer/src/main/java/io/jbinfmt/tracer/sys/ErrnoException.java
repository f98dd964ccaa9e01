package io.jbinfmt.tracer.sys;

/** A failed libc call: the operation that failed and the errno it set. */
public final class ErrnoException extends Exception {
    private final String operation;
    private final int errno;

    public ErrnoException(String operation, int errno) {
        this.operation = operation;
        this.errno = errno;
    }

    /** Built when asked for: most of these (ESRCH, ECHILD at the end of a run) are handled, never shown. */
    @Override
    public String getMessage() {
        return operation + ": " + Errno.describe(errno);
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    /** True when the process or thread the call named no longer exists (or is not stopped for us). */
    public boolean isGone() {
        return errno == Errno.ESRCH.code;
    }
}
