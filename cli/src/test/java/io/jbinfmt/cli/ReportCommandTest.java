package io.jbinfmt.cli;

import io.jbinfmt.cli.report.SampleLogs;
import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.jbinfmt.cli.report.SampleLogs.exec;
import static io.jbinfmt.cli.report.SampleLogs.exited;
import static io.jbinfmt.cli.report.SampleLogs.killed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbinfmt report} through picocli, as the launcher runs it: outputs and exit codes. */
class ReportCommandTest {
    private static final String QA = "/usr/bin/qemu-aarch64";

    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = JbinfmtCommand.commandLine(new JbinfmtCommand(null));
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private Path log(String name, String... lines) throws Exception {
        return Files.writeString(tmp.resolve(name), String.join("\n", lines) + "\n");
    }

    private Path sample() throws Exception {
        return log("run.jsonl",
                exec(1, "qemu-aarch64", QA, "./t1", "./t1", "x"), exited(1, 0, 120.25, 100.0, 10.0),
                exec(2, "qemu-aarch64", QA, "./t2", "./t2"), exited(2, 1, 30.5, null, null),
                exec(3, "qemu-aarch64", QA, "./t3", "./t3"), killed(3, "SIGSEGV", 10),
                exec(4, "qemu-aarch64", QA, "./t4", "./t4"),
                exec(5, "wasm", "/usr/bin/wasmtime", "./a.wasm", "./a.wasm"), exited(5, 0, 5, 2.0, 1.0));
    }

    @Test
    void printsAlignedTablesAndExitsZeroWhateverTheOutcomes() throws Exception {
        Path log = sample();
        Run r = run("report", log.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                jbinfmt report: 5 rewritten processes from %s, in 2 groups (rule, interpreter)

                Processes (failed = exited non-zero + killed + unfinished)
                  rule          interpreter            processes  failed  exited non-zero  killed  unfinished
                  qemu-aarch64  /usr/bin/qemu-aarch64          4       3                1       1           1
                  wasm          /usr/bin/wasmtime              1       0                0       0           0

                Wall time, ms (unknown: unfinished, no exit record)
                  rule          interpreter            timed  unknown  total  median    p95
                  qemu-aarch64  /usr/bin/qemu-aarch64      3        1  160.8    30.5  111.3
                  wasm          /usr/bin/wasmtime          1        0    5.0     5.0    5.0

                CPU time (user+sys), ms (unknown: unfinished, exec'd another program, whose CPU time goes to the next record, or not measured)
                  rule          interpreter            timed  unknown  total  median    p95
                  qemu-aarch64  /usr/bin/qemu-aarch64      2        2  112.0    56.0  104.6
                  wasm          /usr/bin/wasmtime          1        0    3.0     3.0    3.0

                Slowest by wall time: qemu-aarch64 (/usr/bin/qemu-aarch64)
                  wall ms  cpu ms  outcome                   program
                    120.3   110.0  exited 0                  ./t1 x
                     30.5       -  exited 1                  ./t2
                     10.0     2.0  killed by SIGSEGV (core)  ./t3

                Slowest by wall time: wasm (/usr/bin/wasmtime)
                  wall ms  cpu ms  outcome   program
                      5.0     3.0  exited 0  ./a.wasm
                """.formatted(log), r.out());
    }

    @Test
    void jsonIsOneDocumentWithUnknownsAsNull() throws Exception {
        Run r = run("report", "--json", sample().toString());
        assertEquals(0, r.status(), r.err());
        Map<String, Object> doc = JSON.std.mapFrom(r.out());
        assertEquals(5, doc.get("processes"));
        List<?> groups = (List<?>) doc.get("groups");
        Map<?, ?> qemu = (Map<?, ?>) groups.getFirst();
        assertEquals("qemu-aarch64", qemu.get("rule"));
        assertEquals(Map.of("total", 3, "exited_nonzero", 1, "killed", 1, "unfinished", 1), qemu.get("failures"));
        Map<?, ?> cpu = (Map<?, ?>) qemu.get("cpu_ms");
        assertEquals(2, cpu.get("unknown"));
        Map<?, ?> second = (Map<?, ?>) ((List<?>) qemu.get("slowest")).get(1);
        assertEquals("./t2", second.get("path"));
        assertTrue(second.containsKey("cpu_ms") && second.get("cpu_ms") == null, second.toString());
        assertEquals(1, second.get("exit_code"));
    }

    @Test
    void severalLogsAreLinkedEachOnItsOwn() throws Exception {
        // pid 1 in both: the exit in b.jsonl must not end the exec of a.jsonl
        Path a = log("a.jsonl", exec(1, "r", QA, "./a", "./a"));
        Path b = log("b.jsonl", exited(1, 0, 1, 1.0, 1.0), exec(1, "r", QA, "./b", "./b"), exited(1, 0, 2, 1.0, 1.0));
        Run r = run("report", "--json", a.toString(), b.toString());
        Map<String, Object> doc = JSON.std.mapFrom(r.out());
        assertEquals(2, doc.get("processes"));
        assertEquals(List.of(b + ":1"), doc.get("stray_exit_records"));
        Map<?, ?> g = (Map<?, ?>) ((List<?>) doc.get("groups")).getFirst();
        assertEquals(1, ((Map<?, ?>) g.get("failures")).get("unfinished"));
        assertTrue(run("report", a.toString(), b.toString()).out()
                .contains("Note: 1 exit record matched no rewritten exec and was left out (first: " + b + ":1)"));
    }

    @Test
    void aLogWithoutExitRecordsIsSaidToBeOne() throws Exception {
        // as jbinfmt wrote it before exit records: every process would look unfinished
        Path old = log("old.jsonl", "{\"pid\":18407,\"path\":\"./hello-aarch64\",\"decision\":\"rewrite\","
                + "\"rules\":[\"qemu-aarch64\"],\"argv\":[\"/usr/bin/qemu-aarch64\",\"./hello-aarch64\",\"a\"],"
                + "\"preserve_argv0\":false,\"execfd\":false}");
        Run r = run("report", old.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Note: no exit records: a log from a jbinfmt that did not write them? "
                + "Every process counts as unfinished.\n"), r.out());
        assertTrue(r.out().contains("qemu-aarch64  /usr/bin/qemu-aarch64          1       1"), r.out());
    }

    @Test
    void htmlIsWrittenEscapedBesideTheTextReport() throws Exception {
        Path log = log("evil.jsonl", exec(1, "<b>rule</b>", QA, "<script>alert(1)</script>", "<script>alert(1)</script>",
                "a&b"), exited(1, 0, 3, 1.0, 1.0));
        Path page = tmp.resolve("out.html");
        Run r = run("report", "--html", page.toString(), log.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("jbinfmt report: 1 rewritten process"), r.out());
        String html = Files.readString(page);
        assertFalse(html.contains("<script"), html);
        assertFalse(html.contains("<b>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; a&amp;b"), html);
        assertTrue(html.contains("<rect class=\"bar\" data-rule=\"&lt;b&gt;rule&lt;/b&gt;\""), html);
        assertFalse(html.contains("http://") && !html.contains("xmlns=\"http://www.w3.org/2000/svg\""), html);
        assertFalse(html.matches("(?s).*(src=|href=|@import|url\\().*"), "nothing loaded from elsewhere");
    }

    @Test
    void badInputExits125NamingTheFileAndLine() throws Exception {
        Path log = log("bad.jsonl", exec(1, "r", QA, "./a", "./a"), "[\"not\", \"an object\"]");
        Run r = run("report", log.toString());
        assertEquals(ExitCodes.USAGE, r.status());
        assertEquals("jbinfmt: " + log + ":2: not a JSON object but an array\n", r.err());
        assertEquals("", r.out());
        Run missing = run("report", sample().toString(), tmp.resolve("missing.jsonl").toString());
        assertEquals(ExitCodes.USAGE, missing.status());
        assertEquals("jbinfmt: " + tmp.resolve("missing.jsonl") + ": cannot read: no such file\n", missing.err());
        Run unwritable = run("report", "--html", tmp.resolve("no/such/dir/r.html").toString(), sample().toString());
        assertEquals(ExitCodes.USAGE, unwritable.status());
        assertTrue(unwritable.err().startsWith("jbinfmt: " + tmp.resolve("no/such/dir/r.html") + ": cannot write"),
                unwritable.err());
    }

    @Test
    void helpTeachesTheInputTheFailuresAndThePercentiles() {
        Run r = run("report", "--help");
        assertEquals(0, r.status());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--log-format json"), help);
        assertTrue(help.contains("exited non-zero, killed by a signal, or unfinished"), help);
        assertTrue(help.contains("position p/100*(n-1)"), help);
        assertTrue(help.contains("Examples:"), help);
    }
}
