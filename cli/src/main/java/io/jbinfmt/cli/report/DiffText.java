package io.jbinfmt.cli.report;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code jbinfmt diff}'s default output: what ended otherwise, then B/A time ratios, as aligned text. */
public final class DiffText {
    private DiffText() {
    }

    public static String render(RunDiff diff, String logA, String logB, ProcessRuns a, ProcessRuns b) {
        StringBuilder out = new StringBuilder();
        out.append("jbinfmt diff: A = ").append(logA).append(" (").append(Figures.count(diff.processesA(),
                        "rewritten process")).append("), B = ").append(logB).append(" (").append(diff.processesB())
                .append(")\n").append(diff.matched()).append(" matched by program and arguments (the k-th run of a "
                        + "command line in A with the k-th in B), ").append(diff.onlyIn(true)).append(" only in A, ")
                .append(diff.onlyIn(false)).append(" only in B\n");
        out.append(ReportText.notes("A: ", a.strayExits(), a.lacksExitRecords()));
        out.append(ReportText.notes("B: ", b.strayExits(), b.lacksExitRecords()));
        List<RunDiff.Pair> differences = diff.differences();
        if (differences.isEmpty()) {
            out.append("\nNo outcome differs: every process ended the same way in both runs.\n");
        } else {
            TextTable t = new TextTable("program", ">#", "A", "B");
            for (RunDiff.Pair p : differences) {
                t.row(p.key().show(), p.occurrence(), outcome(p.a(), "B"), outcome(p.b(), "A"));
            }
            out.append("\nOutcomes that differ (").append(differences.size()).append("; #: the k-th run of that "
                    + "command line)\n").append(t.render("  "));
        }
        String ruleTitle = "rule";
        if (!diff.renamedRules().isEmpty()) {
            ruleTitle = "A's rule";
            TextTable t = new TextTable("A's rule", "B's rule");
            for (Map.Entry<String, Set<String>> e : diff.renamedRules().entrySet()) {
                t.row(e.getKey(), String.join(", ", e.getValue()));
            }
            out.append("\nThe runs used different rule names for the same programs, so the per-rule ratios are "
                    + "grouped by A's rule\n").append(t.render("  "));
        }
        if (diff.perRule().isEmpty()) {
            return out.append("\nNo matched pair: no time ratio.\n").toString();
        }
        TextTable rules = timesTable(ruleTitle);
        diff.perRule().forEach(r -> timesRow(rules, r.name(), r));
        out.append("\nPer rule: B/A over matched pairs (timed: the pairs where both times are known)\n")
                .append(rules.render("  "));
        TextTable programs = timesTable("program");
        diff.perProgram().forEach(p -> timesRow(programs, p.key().show(), p));
        out.append("\nPer program: B/A over matched pairs, largest wall ratio first\n").append(programs.render("  "));
        return out.toString();
    }

    private static String outcome(ProcessRun r, String other) {
        return r == null ? "(not run: only in " + other + ")" : r.outcome().describe();
    }

    private static TextTable timesTable(String first) {
        return new TextTable(first, ">pairs", ">timed", ">A wall ms", ">B wall ms", ">wall B/A", ">cpu timed",
                ">A cpu ms", ">B cpu ms", ">cpu B/A");
    }

    private static void timesRow(TextTable t, String name, RunDiff.Times r) {
        t.row(name, r.pairs(), r.wall().pairs(), sum(r.wall(), r.wall().a()), sum(r.wall(), r.wall().b()),
                Figures.ratio(r.wall().ratio()), r.cpu().pairs(), sum(r.cpu(), r.cpu().a()), sum(r.cpu(), r.cpu().b()),
                Figures.ratio(r.cpu().ratio()));
    }

    /** A sum over no pair is no number, not 0. */
    private static String sum(RunDiff.Sum s, double v) {
        return s.pairs() == 0 ? "-" : Figures.ms(v);
    }
}
