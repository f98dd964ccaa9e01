package io.jbinfmt.tracer.engine.ptrace;

import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.policy.ExecPlan;

/**
 * A rewritten exec between its entry and exit stops, kept on its {@link io.jbinfmt.tracer.engine.ptrace.Tracee}.
 *
 * @param registersBefore the tracee's registers before the rewrite, given back if the exec fails
 * @param plan            the rewrite that was written into the tracee
 * @param execEvent       PTRACE_O_TRACEEXEC was turned on for it (a threaded exec may change the tid)
 * @param execTid         the thread that made the exec (its tid may change on the way)
 * @param handedIn        the thread's descriptor of the F interpreter it execs by descriptor (closed again if the
 *                        exec fails), or -1
 * @param abi             the exec's ABI
 */
public record RewriteInFlight(byte[] registersBefore, ExecPlan.Rewrite plan, boolean execEvent, int execTid,
                              int handedIn, ExecAbi abi) {
}
