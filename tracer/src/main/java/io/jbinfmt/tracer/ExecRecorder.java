package io.jbinfmt.tracer;

import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.Rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts execs per decision and rule (always) and keeps them and the outcomes of rewritten processes (when asked),
 * for {@link TracedProcess}.
 */
final class ExecRecorder implements ExecListener {
    private final boolean keep;
    private final boolean keepOutcomes;
    private final ExecListener next;
    private final List<ProcessOutcome> outcomes = new ArrayList<>();
    private final List<RecordedExec> execs = new ArrayList<>();
    private final Map<String, Long> perRule = new TreeMap<>();
    private long total;

    ExecRecorder(boolean keep, boolean keepOutcomes, ExecListener next) {
        this.keep = keep;
        this.keepOutcomes = keepOutcomes;
        this.next = next;
    }

    @Override
    public synchronized void onExec(ExecRequest request, ExecPlan plan) {
        total++;
        List<String> rules = plan instanceof ExecPlan.Rewrite w ? w.applied().stream().map(Rule::name).toList() : List.of();
        rules.forEach(r -> perRule.merge(r, 1L, Long::sum));
        if (keep) {
            String decision = switch (plan) {
                case ExecPlan.Passthrough p -> "pass";
                case ExecPlan.Fail f -> "fail";
                case ExecPlan.Rewrite w -> "rewrite";
            };
            List<byte[]> argv = plan instanceof ExecPlan.Rewrite w ? w.argv() : List.of();
            execs.add(new RecordedExec(request.tid(), request.filename(), decision, rules, argv));
        }
        if (next != null) {
            next.onExec(request, plan);
        }
    }

    @Override
    public boolean wantsOutcomes() {
        return keepOutcomes || (next != null && next.wantsOutcomes());
    }

    @Override
    public synchronized void onOutcome(ProcessOutcome outcome) {
        if (keepOutcomes) {
            outcomes.add(outcome);
        }
        if (next != null && next.wantsOutcomes()) {
            next.onOutcome(outcome);
        }
    }

    synchronized List<ProcessOutcome> outcomes() {
        return List.copyOf(outcomes);
    }

    synchronized List<RecordedExec> execs() {
        return List.copyOf(execs);
    }

    synchronized long total() {
        return total;
    }

    synchronized Map<String, Long> perRule() {
        return Map.copyOf(perRule);
    }
}
