package io.jbinfmt.cli.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code jbinfmt report --html FILE}: one self-contained page (inline CSS and SVG, no script, font or network
 * request) with the text report's tables and a bar chart of total wall time per rule. Every string from the log
 * is HTML-escaped: program names are whatever the tree exec'd.
 */
public final class ReportHtml {
    private static final int CHART_WIDTH = 760;
    private static final int BAR_MAX = 560;
    private static final int ROW = 40;

    private static final String STYLE = """
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
                   max-width: 72em; padding: 0 1.5em; color: #1d2330; background: #fff; }
            h1 { font-size: 1.5em; margin-bottom: .2em; }
            h2 { font-size: 1.15em; margin: 1.8em 0 .4em; }
            h3 { font-size: 1em; margin: 1.2em 0 .3em; font-weight: 600; }
            p.lead, p.note { color: #4a5266; margin: .3em 0; }
            table { border-collapse: collapse; margin: .4em 0 1em; }
            th, td { padding: .3em .8em; border-bottom: 1px solid #e1e5ee; text-align: left; vertical-align: top; }
            th { background: #f2f4f8; font-weight: 600; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            td.fail { color: #b3261e; font-weight: 600; }
            code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .95em; }
            svg { display: block; margin: .4em 0 1em; }
            svg text { font: 12px system-ui, sans-serif; fill: #1d2330; }
            svg rect.bar { fill: #3d6fd8; }
            """;

    private ReportHtml() {
    }

    public static String render(RunReport report, List<String> logs) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>jbinfmt report</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>jbinfmt report</h1>\n<p class=\"lead\">")
                .append(Figures.count(report.processes(), "rewritten process")).append(" from ");
        for (int i = 0; i < logs.size(); i++) {
            h.append(i == 0 ? "" : ", ").append("<code>").append(escape(logs.get(i))).append("</code>");
        }
        h.append(", in ").append(Figures.count(report.groups().size(), "group"))
                .append(" by rule and interpreter.</p>\n");
        for (String note : ReportText.notes(report).lines().toList()) {
            h.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }
        h.append("<h2>Total wall time per rule</h2>\n").append(chart(report.wallPerRule()));
        h.append("<h2>").append(ReportText.PROCESSES).append("</h2>\n<p class=\"note\">unfinished: no exit "
                        + "record (jbinfmt was killed, or the run was cut short)</p>\n")
                .append("<table id=\"processes\">\n<tr><th>rule</th><th>interpreter</th><th class=\"n\">processes</th>"
                        + "<th class=\"n\">failed</th><th class=\"n\">exited non-zero</th><th class=\"n\">killed</th>"
                        + "<th class=\"n\">unfinished</th></tr>\n");
        for (RunReport.Group g : report.groups()) {
            h.append("<tr>").append(groupCells(g)).append(num(g.processes())).append(failed(g.failures()))
                    .append(failed(g.exitedNonZero())).append(failed(g.killed())).append(failed(g.unfinished()))
                    .append("</tr>\n");
        }
        h.append("</table>\n");
        times(h, report, "wall", ReportText.WALL, false);
        times(h, report, "cpu", ReportText.CPU, true);
        h.append("<h2>Slowest programs by wall time</h2>\n");
        for (RunReport.Group g : report.groups()) {
            if (g.slowest().isEmpty()) {
                continue;
            }
            h.append("<h3>").append(escape(g.rule())).append(" <span class=\"note\">(").append(escape(g.interpreter()))
                    .append(")</span></h3>\n<table class=\"slowest\">\n<tr><th class=\"n\">wall ms</th>"
                            + "<th class=\"n\">cpu ms</th><th>outcome</th><th>program</th></tr>\n");
            for (ProcessRun r : g.slowest()) {
                h.append("<tr><td class=\"n\">").append(Figures.ms(r.wallMs())).append("</td><td class=\"n\">")
                        .append(Figures.ms(r.cpuMs())).append("</td><td")
                        .append(r.outcome().failed() ? " class=\"fail\">" : ">")
                        .append(escape(r.outcome().describe())).append("</td><td><code>")
                        .append(escape(r.program())).append("</code></td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("<p class=\"note\">").append(escape(TimeSummary.DEFINITION)).append("</p>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void times(StringBuilder h, RunReport report, String id, String title, boolean cpu) {
        h.append("<h2>").append(escape(title)).append("</h2>\n<table id=\"").append(id).append("\">\n<tr><th>rule</th>"
                + "<th>interpreter</th><th class=\"n\">timed</th><th class=\"n\">unknown</th><th class=\"n\">total</th>"
                + "<th class=\"n\">median</th><th class=\"n\">p95</th></tr>\n");
        for (RunReport.Group g : report.groups()) {
            TimeSummary s = cpu ? g.cpu() : g.wall();
            h.append("<tr>").append(groupCells(g)).append(num(s.known())).append(num(s.unknown()))
                    .append(num(Figures.ms(s.known() == 0 ? Double.NaN : s.total())))
                    .append(num(Figures.ms(s.median()))).append(num(Figures.ms(s.p95()))).append("</tr>\n");
        }
        h.append("</table>\n");
    }

    /** One horizontal bar per rule, its label above it and its total after it; widths relative to the largest. */
    static String chart(Map<String, Double> perRule) {
        double max = perRule.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        int height = Math.max(1, perRule.size()) * ROW + 10;
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(CHART_WIDTH)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(CHART_WIDTH).append(' ')
                .append(height).append("\" role=\"img\" aria-label=\"total wall time per rule\">\n");
        int y = 4;
        for (Map.Entry<String, Double> e : perRule.entrySet()) {
            double w = max == 0 ? 0 : Math.max(1, e.getValue() / max * BAR_MAX);
            String rule = escape(e.getKey());
            s.append("<text x=\"0\" y=\"").append(y + 12).append("\">").append(rule).append("</text>\n")
                    .append(String.format(Locale.ROOT, "<rect class=\"bar\" data-rule=\"%s\" x=\"0\" y=\"%d\" "
                            + "width=\"%.1f\" height=\"16\"><title>%s: %s ms</title></rect>%n", rule, y + 17, w, rule,
                            Figures.ms(e.getValue())))
                    .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s ms</text>%n", w + 6, y + 29,
                            Figures.ms(e.getValue())));
            y += ROW;
        }
        return s.append("</svg>\n").toString();
    }

    private static String groupCells(RunReport.Group g) {
        return "<td>" + escape(g.rule()) + "</td><td><code>" + escape(g.interpreter()) + "</code></td>";
    }

    private static String num(Object v) {
        return "<td class=\"n\">" + v + "</td>";
    }

    private static String failed(int n) {
        return n == 0 ? num(n) : "<td class=\"n fail\">" + n + "</td>";
    }

    /** Text and attribute values alike: the five characters HTML gives meaning to, and control characters. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c)); // a control character is no HTML text
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
