package io.jbinfmt.tracer.policy;

import io.jbinfmt.tracer.outcome.ProcessOutcome;

/** Told of every exec the tracer decides on (for logs and statistics); called on the tracer thread. */
@FunctionalInterface
public interface ExecListener {
    void onExec(ExecRequest request, ExecPlan plan);

    /**
     * Whether this listener wants {@link #onOutcome} records. Asked once, at the start of a session: collecting
     * them costs something per rewritten process (under the notify engine, a cgroup of its own).
     */
    default boolean wantsOutcomes() {
        return false;
    }

    /** A rewritten process has ended (only when {@link #wantsOutcomes}). */
    default void onOutcome(ProcessOutcome outcome) {
    }
}
