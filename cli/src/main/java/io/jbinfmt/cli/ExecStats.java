package io.jbinfmt.cli;

import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.Rule;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Counts execs by decision and rule, and per rule the rewritten processes' ends (how many failed, their wall and
 * CPU time), for {@code --stats}. Called on the tracer thread only.
 */
final class ExecStats implements ExecListener {
    /** One rule's (or chain of rules') processes. */
    private static final class RuleTotals {
        long processes;
        long failed;
        long wallNanos;
        long cpuMicros;
        long cpuUnknown;
    }

    private long seen;
    private long passed;
    private long failed;
    private final Map<String, Long> byRule = new TreeMap<>();
    private final Map<String, RuleTotals> ends = new TreeMap<>();

    @Override
    public void onExec(ExecRequest request, ExecPlan plan) {
        seen++;
        switch (plan) {
            case ExecPlan.Passthrough p -> passed++;
            case ExecPlan.Fail f -> failed++;
            case ExecPlan.Rewrite w -> {
                for (Rule r : w.applied()) {
                    byRule.merge(r.name(), 1L, Long::sum);
                }
            }
        }
    }

    @Override
    public boolean wantsOutcomes() {
        return true;
    }

    @Override
    public void onOutcome(ProcessOutcome o) {
        if (o.end() == ProcessOutcome.End.EXECD) {
            return; // the process goes on as another program: counted at its end
        }
        RuleTotals t = ends.computeIfAbsent(o.rules().stream().map(Rule::name).collect(Collectors.joining(" then ")),
                k -> new RuleTotals());
        t.processes++;
        t.failed += o.succeeded() ? 0 : 1;
        t.wallNanos += o.wallNanos();
        if (o.cpuKnown()) {
            t.cpuMicros += o.userMicros() + o.sysMicros();
        } else {
            t.cpuUnknown++;
        }
    }

    void print(PrintStream out, long tracerCpuNanos, long wallNanos) {
        long rewritten = seen - passed - failed;
        out.printf("jbinfmt: %d execs: %d rewritten, %d passed through, %d failed by a rule%n",
                seen, rewritten, passed, failed);
        byRule.forEach((rule, n) -> out.printf("jbinfmt:   rule %s: %d%n", rule, n));
        ends.forEach((rule, t) -> out.printf("jbinfmt:   processes of %s: %d ended, %d failed (non-zero exit or "
                        + "signal); wall %.1f ms, CPU %.1f ms%s in all%n", rule, t.processes, t.failed,
                t.wallNanos / 1e6, t.cpuMicros / 1e3, t.cpuUnknown > 0 ? " (" + t.cpuUnknown + " unmeasured)" : ""));
        out.printf("jbinfmt: tracer CPU %.1f ms over %.1f ms wall%n", tracerCpuNanos / 1e6, wallNanos / 1e6);
    }
}
