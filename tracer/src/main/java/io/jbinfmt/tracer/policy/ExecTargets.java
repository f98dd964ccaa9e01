package io.jbinfmt.tracer.policy;

import io.jbinfmt.tracer.rules.Rule;

/** Opens the files an exec names, as the exec'ing tracee would see them. Implemented over /proc. */
public interface ExecTargets {
    /**
     * The program {@code request} names, if the kernel would get as far as choosing a handler for it (it
     * exists, is a regular file, executable by the tracee, not on a noexec mount: the last two perhaps only once
     * {@link #check}ed); otherwise null, and the exec is left to the kernel, which reports its own error.
     */
    Target executable(ExecRequest request);

    /**
     * open_exec(path) in the tracee's cwd: the interpreter, or how the kernel would fail. Its header may be read
     * before the rest of the checks ({@link Target#checked}): a native program that ends the chain needs no more.
     */
    Target interpreter(int tid, byte[] path) throws ExecFailure;

    /**
     * The interpreter of an F (fix-binary) rule: the kernel uses the file it opened when the rule was registered,
     * wherever the exec'ing process is. By default, {@link #interpreter} of its path.
     */
    default Target fixedInterpreter(int tid, Rule rule) throws ExecFailure {
        return interpreter(tid, rule.interpreter());
    }

    /** The path tracee {@code tid} execs to run an F rule's interpreter. By default, the interpreter's path. */
    default byte[] fixedInterpreterPath(int tid, Rule rule) {
        return rule.interpreter();
    }

    /**
     * The checks of open_exec an unchecked target ({@link Target#checked} false) still owes, made once a rule or a
     * #! line takes it: how the kernel would fail its exec (not executable, on a noexec mount). By default none.
     */
    default void check(Target target) throws ExecFailure {
    }

    /**
     * {@code target}, or the same file on a descriptor no other exec shares, for an open-binary (O) rule, whose
     * interpreter gets the descriptor itself. By default, {@code target}.
     */
    default Target own(Target target) throws ExecFailure {
        return target;
    }

    /** Whether tracee {@code tid} may read {@code target} (the kernel's would_dump asks). By default, yes. */
    default boolean readableBy(int tid, Target target) {
        return true;
    }

    /** Whether descriptor {@code fd} of {@code tid} is close-on-exec. */
    boolean closeOnExec(int tid, int fd);

    /** Releases a target's descriptor. */
    void release(Target target);
}
