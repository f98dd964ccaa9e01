package io.jbinfmt.cli.report;

import java.util.List;

/** {@code jbinfmt report}'s default output: aligned text tables for a terminal or a CI log. */
public final class ReportText {
    // The tables' titles, which say what each count means; the HTML page uses them too.
    static final String PROCESSES = "Processes (failed = exited non-zero + killed + unfinished)";
    static final String WALL = "Wall time, ms (unknown: unfinished, no exit record)";
    static final String CPU = "CPU time (user+sys), ms (unknown: unfinished, exec'd another program, whose "
            + "CPU time goes to the next record, or not measured)";

    private ReportText() {
    }

    public static String render(RunReport report, List<String> logs) {
        StringBuilder out = new StringBuilder();
        out.append("jbinfmt report: ").append(Figures.count(report.processes(), "rewritten process")).append(" from ")
                .append(String.join(", ", logs)).append(", in ").append(Figures.count(report.groups().size(), "group"))
                .append(" (rule, interpreter)\n");
        out.append(notes(report));
        if (report.groups().isEmpty()) {
            return out.append("No rewritten process in the log.\n").toString();
        }
        TextTable outcomes = new TextTable("rule", "interpreter", ">processes", ">failed", ">exited non-zero",
                ">killed", ">unfinished");
        TextTable wall = new TextTable("rule", "interpreter", ">timed", ">unknown", ">total", ">median", ">p95");
        TextTable cpu = new TextTable("rule", "interpreter", ">timed", ">unknown", ">total", ">median", ">p95");
        for (RunReport.Group g : report.groups()) {
            outcomes.row(g.rule(), g.interpreter(), g.processes(), g.failures(), g.exitedNonZero(), g.killed(),
                    g.unfinished());
            times(wall, g, g.wall());
            times(cpu, g, g.cpu());
        }
        out.append('\n').append(PROCESSES).append('\n').append(outcomes.render("  "));
        out.append('\n').append(WALL).append('\n').append(wall.render("  "));
        out.append('\n').append(CPU).append('\n').append(cpu.render("  "));
        for (RunReport.Group g : report.groups()) {
            if (g.slowest().isEmpty()) {
                continue;
            }
            TextTable slow = new TextTable(">wall ms", ">cpu ms", "outcome", "program");
            for (ProcessRun r : g.slowest()) {
                slow.row(Figures.ms(r.wallMs()), Figures.ms(r.cpuMs()), r.outcome().describe(), r.program());
            }
            out.append("\nSlowest by wall time: ").append(g.rule()).append(" (").append(g.interpreter())
                    .append(")\n").append(slow.render("  "));
        }
        return out.toString();
    }

    private static void times(TextTable t, RunReport.Group g, TimeSummary s) {
        t.row(g.rule(), g.interpreter(), s.known(), s.unknown(), Figures.ms(s.known() == 0 ? Double.NaN : s.total()),
                Figures.ms(s.median()), Figures.ms(s.p95()));
    }

    /** The report's warnings: about its logs, and processes whose end the kernel did not tell. */
    static String notes(RunReport report) {
        String notes = notes("", report.strayExits(), report.noExitRecords());
        if (report.endUnknown() > 0) {
            notes += "Note: " + Figures.count(report.endUnknown(), "process") + " ended without the kernel saying "
                    + "how (the notify engine before Linux 6.15): counted as neither failed nor passed\n";
        }
        return notes;
    }

    /**
     * Warnings about a log, each line starting with "Note: " and {@code which}: exit records no process claimed
     * (a damaged log?), and a log with no exit records at all, where every process looks unfinished.
     */
    static String notes(String which, List<String> strayExits, boolean noExitRecords) {
        StringBuilder out = new StringBuilder();
        if (noExitRecords) {
            out.append("Note: ").append(which).append("no exit records: a log from a jbinfmt that did not write "
                    + "them? Every process counts as unfinished.\n");
        }
        if (!strayExits.isEmpty()) {
            out.append("Note: ").append(which).append(Figures.count(strayExits.size(), "exit record"))
                    .append(strayExits.size() == 1 ? " matched no rewritten exec and was"
                            : " matched no rewritten exec and were")
                    .append(" left out (first: ").append(strayExits.getFirst())
                    .append(")\n");
        }
        return out.toString();
    }
}
