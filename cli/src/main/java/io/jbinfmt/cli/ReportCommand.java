package io.jbinfmt.cli;

import io.jbinfmt.cli.report.BadLogException;
import io.jbinfmt.cli.report.OutcomeLog;
import io.jbinfmt.cli.report.ProcessRuns;
import io.jbinfmt.cli.report.ReportHtml;
import io.jbinfmt.cli.report.ReportJson;
import io.jbinfmt.cli.report.ReportText;
import io.jbinfmt.cli.report.RunReport;
import io.jbinfmt.cli.report.TimeSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jbinfmt report LOG...}: per rule and interpreter, how the rewritten processes ended and what they cost. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Summarises the rewritten processes of one or more runs, from the JSON logs that "
                + "jbinfmt --log LOG --log-format json wrote: each exec record that a rule rewrote, with the exit "
                + "record of the process it started (logs from several runs may be given together).",
                "",
                "Processes are grouped by rule (a chain of rules joined with \"then\") and interpreter. For each "
                        + "group: the processes; the failures, counted by kind: exited non-zero, killed by a "
                        + "signal, or unfinished (the log has no exit record: jbinfmt was killed, or the run was cut "
                        + "short); a process that exec'd another program did not fail. Then the total, median and "
                        + "95th percentile of wall time, and of CPU time (user+sys) over the processes whose CPU "
                        + "time the engine measured (the others are counted as unknown, not as zero; a program that "
                        + "exec'd another rewritten one has none, as its CPU time goes to the next program's record); "
                        + "and the five slowest programs by wall time, with their arguments.",
                "",
                TimeSummary.DEFINITION},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:the report was written (whatever the processes' outcomes)",
                OutcomeLog.BAD_INPUT + "; or the --html FILE cannot be written"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbinfmt --log run.jsonl --log-format json -- make check",
                "  jbinfmt report run.jsonl",
                "  jbinfmt report --html report.html run.jsonl   (and the text report on stdout)",
                "  jbinfmt report --json monday.jsonl tuesday.jsonl | jq '.groups[].failures'"})
final class ReportCommand implements Callable<Integer> {
    @Option(names = "--json", description = OutcomeLog.JSON_OUTPUT)
    boolean json;

    @Option(names = "--html", paramLabel = "FILE", description = "Also write the report as one self-contained HTML "
            + "page (inline CSS and SVG chart of total wall time per rule; nothing loaded from elsewhere) to FILE.")
    Path html;

    @Parameters(arity = "1..*", paramLabel = "LOG", description = "JSON logs written by --log-format json.")
    List<Path> logs;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ProcessRuns runs = ProcessRuns.NONE;
        try {
            for (Path log : logs) {
                runs = runs.plus(OutcomeLog.runs(log));
            }
        } catch (BadLogException e) {
            err.println("jbinfmt: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        RunReport report = RunReport.of(runs);
        List<String> names = logs.stream().map(Path::toString).toList();
        if (html != null) {
            try {
                Files.writeString(html, ReportHtml.render(report, names), StandardCharsets.UTF_8);
            } catch (IOException e) {
                err.println("jbinfmt: " + html + ": cannot write: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? ReportJson.render(report, names) : ReportText.render(report, names));
        out.flush();
        return 0;
    }
}
