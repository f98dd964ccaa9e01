package io.jbinfmt.cli;

import io.jbinfmt.cli.report.BadLogException;
import io.jbinfmt.cli.report.DiffJson;
import io.jbinfmt.cli.report.DiffText;
import io.jbinfmt.cli.report.OutcomeLog;
import io.jbinfmt.cli.report.ProcessRuns;
import io.jbinfmt.cli.report.RunDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jbinfmt diff LOG_A LOG_B}: which rewritten programs ended otherwise in two runs, and B/A time ratios. */
@Command(name = "diff", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compares two runs of the same command tree from their JSON logs (jbinfmt --log LOG "
                + "--log-format json): for example the same test suite under two emulators, or before and after a "
                + "change.",
                "",
                "The rewritten processes of the two runs are matched by program path and arguments (the whole "
                        + "argv); the k-th run of a command line in A is matched with the k-th in B, so repeats "
                        + "pair up in order. Listed: every match whose outcome differs (status, exit code or "
                        + "signal; a process with no exit record is unfinished), and every process only one run "
                        + "made.",
                "",
                "Then B/A ratios of wall time and of CPU time (user+sys, where the engine measured both), over the "
                        + "matched pairs: per rule and per program. Rules are matched by name; where the two runs "
                        + "ran the same program by differently named rules (two emulators' own rules), the per-rule "
                        + "ratios are grouped by A's rule and the names are listed side by side."},
        exitCodeListHeading = "%nExit status (as diff(1)):%n",
        exitCodeList = {
                "0:no outcome differs",
                "1:some outcome differs, or some process ran in one run only",
                OutcomeLog.BAD_INPUT},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbinfmt --rules qemu.conf --log a.jsonl --log-format json -- make check",
                "  jbinfmt --rules other-emulator.conf --log b.jsonl --log-format json -- make check",
                "  jbinfmt diff a.jsonl b.jsonl",
                "  jbinfmt diff --json a.jsonl b.jsonl | jq '.differences[]'"})
final class DiffCommand implements Callable<Integer> {
    @Option(names = "--json", description = OutcomeLog.JSON_OUTPUT)
    boolean json;

    @Parameters(index = "0", paramLabel = "LOG_A", description = "The first run's JSON log.")
    Path logA;

    @Parameters(index = "1", paramLabel = "LOG_B", description = "The second run's JSON log.")
    Path logB;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ProcessRuns a;
        ProcessRuns b;
        try {
            a = OutcomeLog.runs(logA);
            b = OutcomeLog.runs(logB);
        } catch (BadLogException e) {
            spec.commandLine().getErr().println("jbinfmt: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        RunDiff diff = RunDiff.of(a, b);
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? DiffJson.render(diff, logA.toString(), logB.toString(), a, b)
                : DiffText.render(diff, logA.toString(), logB.toString(), a, b));
        out.flush();
        return diff.differences().isEmpty() ? 0 : 1;
    }
}
