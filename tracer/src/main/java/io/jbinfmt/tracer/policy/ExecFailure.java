package io.jbinfmt.tracer.policy;

/** The kernel would fail this exec with {@code errno} (an interpreter missing, not executable, ...). */
public final class ExecFailure extends Exception {
    private final int errno;

    public ExecFailure(int errno, String why) {
        super(why);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
