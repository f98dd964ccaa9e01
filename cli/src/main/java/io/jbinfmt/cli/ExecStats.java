package io.jbinfmt.cli;

import io.jbinfmt.tracer.exec.ExecListener;
import io.jbinfmt.tracer.exec.ExecPlan;
import io.jbinfmt.tracer.exec.ExecRequest;
import io.jbinfmt.tracer.rules.Rule;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;

/** Counts execs by decision and rule, for {@code --stats}. Called on the tracer thread only. */
final class ExecStats implements ExecListener {
    private long seen;
    private long passed;
    private long failed;
    private final Map<String, Long> byRule = new TreeMap<>();

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

    void print(PrintStream out, long tracerCpuNanos, long wallNanos) {
        long rewritten = seen - passed - failed;
        out.printf("jbinfmt: %d execs: %d rewritten, %d passed through, %d failed by a rule%n",
                seen, rewritten, passed, failed);
        byRule.forEach((rule, n) -> out.printf("jbinfmt:   rule %s: %d%n", rule, n));
        out.printf("jbinfmt: tracer CPU %.1f ms over %.1f ms wall%n", tracerCpuNanos / 1e6, wallNanos / 1e6);
    }
}
