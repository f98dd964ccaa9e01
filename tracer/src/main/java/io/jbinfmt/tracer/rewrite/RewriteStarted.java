package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.policy.ExecPlan;

/** Told of each rewritten program that runs, while its process is still stopped after the exec (for outcomes). */
@FunctionalInterface
public interface RewriteStarted {
    /**
     * {@code pid}: the process, after its exec (its leader's tid); {@code execTid}: the thread that made the exec,
     * as the exec's record names it ({@code pid}, unless a non-leader thread exec'd). Must not throw: the process
     * goes on after this.
     */
    void started(int pid, int execTid, ExecPlan.Rewrite plan);
}
