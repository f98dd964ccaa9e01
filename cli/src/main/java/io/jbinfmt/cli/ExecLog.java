package io.jbinfmt.cli;

import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.sys.Errno;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
    /** Completed once what must come first (-v's engine line) is printed. */
    private final Future<?> header;
    private volatile boolean headed;

    ExecLog(PrintStream out, Format format) {
        this(out, format, CompletableFuture.completedFuture(null));
    }

    /**
     * {@code header}: the first line waits (a second at most) for it: the tracer thread logs the command's exec
     * while the caller of {@code Session.start} may still be printing the engine line.
     */
    ExecLog(PrintStream out, Format format, Future<?> header) {
        this.out = out;
        this.format = format;
        this.header = header;
    }

    private void awaitHeader() {
        if (headed) {
            return;
        }
        try {
            header.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // print anyway
        }
        headed = true;
    }

    @Override
    public void onExec(ExecRequest request, ExecPlan plan) {
        awaitHeader();
        out.println(format == Format.JSON ? json(request, plan, System.currentTimeMillis()) : text(request, plan));
    }

    @Override
    public boolean wantsOutcomes() {
        return true;
    }

    @Override
    public void onOutcome(ProcessOutcome o) {
        awaitHeader();
        out.println(format == Format.JSON ? json(o, System.currentTimeMillis()) : text(o));
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

    static String json(ProcessOutcome o, long nowMillis) {
        StringBuilder b = new StringBuilder("{\"event\":\"exit\",\"time_ms\":").append(nowMillis)
                .append(",\"pid\":").append(o.execTid()) // as the exec record has it (readers link by it)
                .append(",\"path\":").append(ByteText.json(o.program()))
                .append(",\"rules\":[").append(o.rules().stream().map(r -> ByteText.json(r.name()))
                        .collect(Collectors.joining(","))).append(']');
        switch (o.end()) {
            case EXITED -> b.append(",\"status\":\"exited\",\"exit_code\":").append(o.exitCode());
            case KILLED -> b.append(",\"status\":\"killed\",\"signal\":").append(ByteText.json(SignalNames.name(o.signal())))
                    .append(",\"core\":").append(o.coreDumped());
            case EXECD -> b.append(",\"status\":\"exec\"");
            case UNKNOWN -> b.append(",\"status\":\"unknown\"");
        }
        b.append(",\"wall_ms\":").append(millis(o.wallNanos() / 1000));
        b.append(",\"user_ms\":").append(o.cpuKnown() ? millis(o.userMicros()) : "null");
        b.append(",\"sys_ms\":").append(o.cpuKnown() ? millis(o.sysMicros()) : "null");
        b.append(",\"max_rss_kb\":").append(o.maxRssKb() >= 0 ? Long.toString(o.maxRssKb()) : "null");
        return b.append('}').toString();
    }

    /** Microseconds as milliseconds with three decimals, exactly (no floating point in the log). */
    private static String millis(long micros) {
        return micros / 1000 + "." + String.format("%03d", micros % 1000);
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

    static String json(ExecRequest r, ExecPlan plan, long nowMillis) {
        StringBuilder b = new StringBuilder("{\"event\":\"exec\",\"time_ms\":").append(nowMillis)
                .append(",\"pid\":").append(r.tid())
                .append(",\"path\":").append(ByteText.json(r.filename()));
        switch (plan) {
            case ExecPlan.Passthrough p -> b.append(",\"decision\":\"pass\"");
            case ExecPlan.Fail f -> b.append(",\"decision\":\"fail\",\"errno\":").append(ByteText.json(Errno.name(f.errno())))
                    .append(",\"reason\":").append(ByteText.json(f.why()));
            case ExecPlan.Rewrite w -> {
                b.append(",\"args\":[")
                        .append(w.callerArgv().stream().map(ByteText::json).collect(Collectors.joining(",")))
                        .append("],\"decision\":\"rewrite\",\"rules\":[")
                        .append(w.applied().stream().map(x -> ByteText.json(x.name())).collect(Collectors.joining(",")))
                        .append("],\"interpreter\":").append(ByteText.json(w.argv().getFirst()))
                        .append(",\"argv\":[")
                        .append(w.argv().stream().map(ByteText::json).collect(Collectors.joining(",")))
                        .append("],\"preserve_argv0\":").append(w.preserveArgv0())
                        .append(",\"execfd\":").append(w.openBinary() != null);
            }
        }
        return b.append('}').toString();
    }

    private static String ruleNames(List<Rule> rules) {
        return rules.stream().map(Rule::name).collect(Collectors.joining(" then "));
    }

    private static String quote(String s) {
        return s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '\'' || c == '"') ? "'" + s.replace("'", "'\\''") + "'" : s;
    }
}
