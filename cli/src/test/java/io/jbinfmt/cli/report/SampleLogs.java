package io.jbinfmt.cli.report;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Hand-written JSON log lines for report and diff tests, in the format the tracer writes. */
public final class SampleLogs {
    private SampleLogs() {
    }

    /** A rewrite exec record: {@code args} as exec'd (argv[0] first). */
    public static String exec(int pid, String rule, String interpreter, String path, String... args) {
        List<String> argv = new ArrayList<>(List.of(interpreter, path));
        argv.addAll(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
        return "{\"event\":\"exec\",\"time_ms\":1764520000123.456,\"pid\":" + pid + ",\"path\":" + q(path)
                + ",\"args\":" + list(Arrays.asList(args)) + ",\"decision\":\"rewrite\",\"rules\":"
                + list(Arrays.asList(rule.split(" then "))) + ",\"interpreter\":" + q(interpreter) + ",\"argv\":"
                + list(argv) + ",\"preserve_argv0\":false,\"execfd\":false}";
    }

    /** An exit record naming no path: it ends the pid's most recent open rewrite. */
    public static String exited(int pid, int code, double wallMs, Double userMs, Double sysMs) {
        return "{\"event\":\"exit\",\"time_ms\":1764520000200.5,\"pid\":" + pid + ",\"status\":\"exited\","
                + "\"exit_code\":" + code + ",\"wall_ms\":" + wallMs + ",\"user_ms\":" + userMs + ",\"sys_ms\":"
                + sysMs + ",\"max_rss_kb\":10240}";
    }

    /** An exit record as jbinfmt writes it, with its exec's path. */
    public static String exited(int pid, int code, double wallMs, Double userMs, Double sysMs, String path) {
        return exited(pid, code, wallMs, userMs, sysMs).replace(",\"status\"", ",\"path\":" + q(path) + ",\"status\"");
    }

    public static String killed(int pid, String signal, double wallMs) {
        return "{\"event\":\"exit\",\"pid\":" + pid + ",\"status\":\"killed\",\"signal\":" + q(signal)
                + ",\"core\":true,\"wall_ms\":" + wallMs + ",\"user_ms\":1.0,\"sys_ms\":1.0}";
    }

    public static String pass(int pid, String path) {
        return "{\"pid\":" + pid + ",\"path\":" + q(path) + ",\"decision\":\"pass\"}";
    }

    public static ProcessRuns runs(String... lines) {
        List<LogLine> records = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            try {
                LogRecord r = LogJson.read(lines[i], "test:" + (i + 1));
                if (r != null) {
                    records.add(new LogLine("test:" + (i + 1), r));
                }
            } catch (BadLogException e) {
                throw new AssertionError(e);
            }
        }
        return ProcessRuns.link(records);
    }

    static String q(String s) {
        try {
            return JSON.std.asString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String list(List<String> items) {
        return items.stream().map(SampleLogs::q).collect(Collectors.joining(",", "[", "]"));
    }
}
