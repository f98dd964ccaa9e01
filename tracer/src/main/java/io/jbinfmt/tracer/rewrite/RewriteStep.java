package io.jbinfmt.tracer.rewrite;

/**
 * The steps of a rewrite, where a fault can be injected ({@link RewriteFaults}) to prove that a failure at any of
 * them leaves no tracee stopped and gives the exec'ing program one errno. SEIZE, INTERRUPT, ANSWER and DETACH are
 * the notify engine's only; the ptrace engine has the others.
 */
public enum RewriteStep {
    /** Taking the thread that waits in the notification (PTRACE_SEIZE). */
    SEIZE,
    /** PTRACE_INTERRUPT, to have it stop once it returns from the notification. */
    INTERRUPT,
    /** Answering the notification -ERESTARTNOINTR. */
    ANSWER,
    /** Writing the new path, argv (and environment) into its memory. */
    ARGV_WRITE,
    /** Letting the rewritten exec run. */
    RESTART,
    /** The exec event: the new program is loaded (the point of no return has passed). */
    EXEC_EVENT,
    /** Touching up the new program (AT_EXECFN, AT_FLAGS, AT_EXECFD, its name). */
    FIXUP,
    /** Letting the thread go (PTRACE_DETACH). */
    DETACH;

    /** The name a fault specification uses: lower case, words joined by '-' (argv-write). */
    public String specName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
