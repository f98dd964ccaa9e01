package io.jbinfmt.cli;

import io.jbinfmt.cli.report.LogJson;
import io.jbinfmt.cli.report.LogRecord;
import io.jbinfmt.cli.report.Outcome;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.sys.Errno;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One line per exec of the tree: pid, path, decision (pass, rewrite, fail), the rules that applied and the argv
 * that runs; and one per rewritten process when it ends (its exit status or signal, wall and CPU time), linked to
 * its exec by pid; as text for people or as JSON lines for tools ({@code jbinfmt report} and {@code diff} read
 * those).
 */
final class ExecLog implements ExecListener {
    enum Format { TEXT, JSON }

    private final PrintStream out;
    private final Format format;

    ExecLog(PrintStream out, Format format) {
        this.out = out;
        this.format = format;
    }

    @Override
    public void onExec(ExecRequest request, ExecPlan plan) {
        out.println(format == Format.JSON ? LogJson.write(record(request, plan, System.currentTimeMillis()))
                : text(request, plan));
    }

    @Override
    public boolean wantsOutcomes() {
        return true;
    }

    @Override
    public void onOutcome(ProcessOutcome o) {
        out.println(format == Format.JSON ? LogJson.write(record(o, System.currentTimeMillis())) : text(o));
    }

    static String text(ProcessOutcome o) {
        String how = switch (o.end()) {
            case EXITED -> "exit " + o.exitCode();
            case KILLED -> "killed by " + SignalNames.name(o.signal()) + (o.coreDumped() ? " (core dumped)" : "");
            case EXECD -> "exec'd another program";
            case UNKNOWN -> "ended (how, the kernel did not say)";
        };
        // the exec's line named the thread that made it: the same id here, so the two lines go together
        StringBuilder b = new StringBuilder("jbinfmt: pid ").append(o.execTid()).append(' ').append(how)
                .append(String.format(" after %.1f ms", o.wallNanos() / 1e6));
        if (o.cpuKnown()) {
            b.append(String.format(", CPU %.1f ms user + %.1f ms sys", o.userMicros() / 1e3, o.sysMicros() / 1e3));
        }
        if (o.maxRssKb() >= 0) {
            b.append(", max RSS ").append(o.maxRssKb()).append(" kB");
        }
        return b.append(": ").append(ByteText.show(o.program())).toString();
    }

    /** The exit record of {@code o}: the id of the thread that exec'd, as the exec record has it (readers link by it). */
    static LogRecord record(ProcessOutcome o, long nowMillis) {
        Outcome end = switch (o.end()) {
            case EXITED -> new Outcome.Exited(o.exitCode());
            case KILLED -> new Outcome.Killed(SignalNames.name(o.signal()), o.coreDumped());
            case EXECD -> new Outcome.ExecdAnother();
            case UNKNOWN -> new Outcome.EndUnknown();
        };
        return new LogRecord.Exit(BigDecimal.valueOf(nowMillis), o.execTid(), ByteText.show(o.program()),
                ruleNameList(o.rules()), end, millis(o.wallNanos() / 1000), o.cpuKnown() ? millis(o.userMicros()) : null,
                o.cpuKnown() ? millis(o.sysMicros()) : null, o.maxRssKb() >= 0 ? o.maxRssKb() : null);
    }

    /** Microseconds as milliseconds with three decimals, exactly (no floating point in the log). */
    private static BigDecimal millis(long micros) {
        return BigDecimal.valueOf(micros, 3);
    }

    static String text(ExecRequest r, ExecPlan plan) {
        String head = "jbinfmt: pid " + r.tid() + " exec " + ByteText.show(r.filename());
        return switch (plan) {
            case ExecPlan.Passthrough p -> head + ": pass";
            case ExecPlan.Fail f -> head + ": fail " + Errno.name(f.errno()) + " (" + f.why() + ")";
            case ExecPlan.Rewrite w -> head + ": rewrite by " + ruleNames(w.applied()) + " -> "
                    + w.argv().stream().map(a -> quote(ByteText.show(a))).collect(Collectors.joining(" "))
                    + (w.preserveArgv0() ? " [AT_FLAGS_PRESERVE_ARGV0]" : "")
                    + (w.openBinary() != null ? " [AT_EXECFD]" : "");
        };
    }

    /** The exec record of {@code r}: paths and arguments shown as text, as {@link ByteText#show} does. */
    static LogRecord record(ExecRequest r, ExecPlan plan, long nowMillis) {
        LogRecord.Decision decision = switch (plan) {
            case ExecPlan.Passthrough p -> new LogRecord.Pass();
            case ExecPlan.Fail f -> new LogRecord.Fail(Errno.name(f.errno()), f.why());
            case ExecPlan.Rewrite w -> new LogRecord.Rewrite(shown(w.callerArgv()), ruleNameList(w.applied()),
                    ByteText.show(w.argv().getFirst()), shown(w.argv()), w.preserveArgv0(), w.openBinary() != null);
        };
        return new LogRecord.Exec(BigDecimal.valueOf(nowMillis), r.tid(), ByteText.show(r.filename()), decision);
    }

    private static List<String> shown(List<byte[]> words) {
        return words.stream().map(ByteText::show).toList();
    }

    private static List<String> ruleNameList(List<Rule> rules) {
        return rules.stream().map(Rule::name).toList();
    }

    private static String ruleNames(List<Rule> rules) {
        return rules.stream().map(Rule::name).collect(Collectors.joining(" then "));
    }

    private static String quote(String s) {
        return s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '\'' || c == '"') ? "'" + s.replace("'", "'\\''") + "'" : s;
    }
}
