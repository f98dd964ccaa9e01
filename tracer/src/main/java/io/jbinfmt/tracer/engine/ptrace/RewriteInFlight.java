package io.jbinfmt.tracer.engine.ptrace;

import io.jbinfmt.tracer.policy.ExecPlan;

/**
 * A rewritten exec between its entry and exit stops, kept on its {@link io.jbinfmt.tracer.engine.ptrace.Tracee}.
 *
 * @param registersBefore the tracee's registers before the rewrite, given back if the exec fails
 * @param plan            the rewrite that was written into the tracee
 * @param execEvent       PTRACE_O_TRACEEXEC was turned on for it (a threaded exec may change the tid)
 * @param execTid         the thread that made the exec (its tid may change on the way)
 */
public record RewriteInFlight(byte[] registersBefore, ExecPlan.Rewrite plan, boolean execEvent, int execTid) {
}
