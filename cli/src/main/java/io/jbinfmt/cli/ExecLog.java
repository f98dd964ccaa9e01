package io.jbinfmt.cli;

import io.jbinfmt.tracer.exec.ExecListener;
import io.jbinfmt.tracer.exec.ExecPlan;
import io.jbinfmt.tracer.exec.ExecRequest;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.sys.Errno;

import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One line per exec of the tree: pid, path, decision (pass, rewrite, fail), the rules that applied and the argv
 * that runs; as text for people or as JSON lines for tools.
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
        out.println(format == Format.JSON ? json(request, plan) : text(request, plan));
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

    static String json(ExecRequest r, ExecPlan plan) {
        StringBuilder b = new StringBuilder("{\"pid\":").append(r.tid())
                .append(",\"path\":").append(ByteText.json(r.filename()));
        switch (plan) {
            case ExecPlan.Passthrough p -> b.append(",\"decision\":\"pass\"");
            case ExecPlan.Fail f -> b.append(",\"decision\":\"fail\",\"errno\":").append(ByteText.json(Errno.name(f.errno())))
                    .append(",\"reason\":").append(ByteText.json(f.why()));
            case ExecPlan.Rewrite w -> {
                b.append(",\"decision\":\"rewrite\",\"rules\":[")
                        .append(w.applied().stream().map(x -> ByteText.json(x.name())).collect(Collectors.joining(",")))
                        .append("],\"argv\":[")
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
