package io.jbinfmt.cli.report;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code jbinfmt report --json}: the report as one JSON document, field names as in the log (snake_case, ms). */
public final class ReportJson {
    private ReportJson() {
    }

    public static String render(RunReport report, List<String> logs) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("logs", logs);
        doc.put("processes", report.processes());
        doc.put("stray_exit_records", report.strayExits());
        doc.put("no_exit_records", report.noExitRecords());
        doc.put("percentiles", TimeSummary.DEFINITION);
        doc.put("groups", report.groups().stream().map(ReportJson::group).toList());
        return write(doc);
    }

    private static Map<String, Object> group(RunReport.Group g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", g.rule());
        m.put("interpreter", g.interpreter());
        m.put("processes", g.processes());
        Map<String, Object> failures = new LinkedHashMap<>();
        failures.put("total", g.failures());
        failures.put("exited_nonzero", g.exitedNonZero());
        failures.put("killed", g.killed());
        failures.put("unfinished", g.unfinished());
        m.put("failures", failures);
        m.put("end_unknown", g.endUnknown());
        m.put("wall_ms", times(g.wall()));
        m.put("cpu_ms", times(g.cpu()));
        m.put("slowest", g.slowest().stream().map(ReportJson::process).toList());
        return m;
    }

    private static Map<String, Object> times(TimeSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("known", s.known());
        m.put("unknown", s.unknown());
        m.put("total", s.total());
        m.put("median", Figures.json(s.median()));
        m.put("p95", Figures.json(s.p95()));
        return m;
    }

    /** One process as JSON: path, args, outcome fields, times; shared with diff's JSON. */
    static Map<String, Object> process(ProcessRun r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", r.path());
        m.put("args", r.args());
        m.putAll(LogJson.outcome(r.outcome()));
        m.put("wall_ms", r.wallMs());
        m.put("cpu_ms", r.cpuMs());
        m.put("max_rss_kb", r.maxRssKb());
        return m;
    }

    /** Pretty-printed, with nulls kept: a null says "unknown", which an absent field would hide. */
    static String write(Map<String, Object> doc) {
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT, JSON.Feature.WRITE_NULL_PROPERTIES).asString(doc)
                    + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e); // maps of strings and numbers always write
        }
    }
}
