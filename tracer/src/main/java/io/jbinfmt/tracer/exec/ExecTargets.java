package io.jbinfmt.tracer.exec;

/** Opens the files an exec names, as the exec'ing tracee would see them. Implemented over /proc. */
public interface ExecTargets {
    /**
     * The program {@code request} names, if the kernel would get as far as choosing a handler for it (it
     * exists, is a regular file, executable by the tracee, not on a noexec mount); otherwise null, and the
     * exec is left to the kernel, which reports its own error.
     */
    Target executable(ExecRequest request);

    /** open_exec(path) in the tracee's cwd: the interpreter, or how the kernel would fail. */
    Target interpreter(int tid, byte[] path) throws ExecFailure;

    /** Whether descriptor {@code fd} of {@code tid} is close-on-exec. */
    boolean closeOnExec(int tid, int fd);

    /** Releases a target's descriptor. */
    void release(Target target);
}
