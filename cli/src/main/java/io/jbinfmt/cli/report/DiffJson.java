package io.jbinfmt.cli.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbinfmt diff --json}: the comparison as one JSON document (times in ms, unknowns null). */
public final class DiffJson {
    private DiffJson() {
    }

    public static String render(RunDiff diff, String logA, String logB, ProcessRuns a, ProcessRuns b) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("a", side(logA, a));
        doc.put("b", side(logB, b));
        doc.put("matched", diff.matched());
        doc.put("only_in_a", diff.onlyIn(true));
        doc.put("only_in_b", diff.onlyIn(false));
        doc.put("differences", diff.differences().stream().map(DiffJson::difference).toList());
        doc.put("rules_grouped_by", diff.renamedRules().isEmpty() ? "name" : "a");
        doc.put("renamed_rules", diff.renamedRules().entrySet().stream()
                .map(e -> Map.of("a", e.getKey(), "b", List.copyOf(e.getValue()))).toList());
        doc.put("rules", diff.perRule().stream().map(t -> times("rule", t.name(), t)).toList());
        doc.put("programs", diff.perProgram().stream().map(t -> {
            Map<String, Object> m = times("path", t.key().path(), t);
            m.put("args", t.key().args());
            return m;
        }).toList());
        return ReportJson.write(doc);
    }

    private static Map<String, Object> side(String log, ProcessRuns runs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("log", log);
        m.put("processes", runs.runs().size());
        m.put("stray_exit_records", runs.strayExits());
        m.put("no_exit_records", runs.lacksExitRecords());
        return m;
    }

    private static Map<String, Object> difference(RunDiff.Pair p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", p.key().path());
        m.put("args", p.key().args());
        m.put("occurrence", p.occurrence());
        m.put("a", p.a() == null ? null : LogJson.outcome(p.a().outcome()));
        m.put("b", p.b() == null ? null : LogJson.outcome(p.b().outcome()));
        return m;
    }

    private static Map<String, Object> times(String nameField, String name, RunDiff.Times t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(nameField, name);
        m.put("pairs", t.pairs());
        m.put("wall_ms", sum(t.wall()));
        m.put("cpu_ms", sum(t.cpu()));
        return m;
    }

    private static Map<String, Object> sum(RunDiff.Sum s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("timed_pairs", s.pairs());
        m.put("a", s.pairs() == 0 ? null : s.a());
        m.put("b", s.pairs() == 0 ? null : s.b());
        m.put("ratio", s.ratio());
        return m;
    }
}
