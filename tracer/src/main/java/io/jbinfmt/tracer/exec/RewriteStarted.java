package io.jbinfmt.tracer.exec;

/** Told of each rewritten program that runs, while its process is still stopped after the exec (for outcomes). */
@FunctionalInterface
public interface RewriteStarted {
    /** {@code pid}: the process, after its exec (its leader's tid). Must not throw: the process goes on after this. */
    void started(int pid, ExecPlan.Rewrite plan);
}
