package io.jbinfmt.cli;

import io.jbinfmt.cli.report.SampleLogs;
import com.fasterxml.jackson.jr.ob.JSON;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.jbinfmt.cli.ReportCommandTest.run;
import static io.jbinfmt.cli.report.SampleLogs.exec;
import static io.jbinfmt.cli.report.SampleLogs.exited;
import static io.jbinfmt.cli.report.SampleLogs.killed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code jbinfmt diff} through picocli: text and JSON, and exit codes 0, 1 and 125 as diff(1) has them. */
class DiffCommandTest {
    private static final String QA = "/usr/bin/qemu-aarch64";

    @TempDir
    Path tmp;

    private Path log(String name, String... lines) throws Exception {
        return Files.writeString(tmp.resolve(name), String.join("\n", lines) + "\n");
    }

    private Path runA() throws Exception {
        return log("a.jsonl",
                exec(1, "qemu-aarch64", QA, "./t1", "./t1", "x"), exited(1, 0, 100, 80.0, 20.0),
                exec(2, "qemu-aarch64", QA, "./t1", "./t1", "x"), exited(2, 0, 100, 80.0, 20.0),
                exec(3, "qemu-aarch64", QA, "./t2", "./t2"), exited(3, 0, 40, 30.0, 10.0),
                exec(4, "qemu-aarch64", QA, "./t3", "./t3"), exited(4, 0, 10, 5.0, 5.0));
    }

    @Test
    void sameOutcomesExitZero() throws Exception {
        Path a = runA();
        Run r = new Run(run("diff", a.toString(), a.toString()));
        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("\nNo outcome differs: every process ended the same way in both runs.\n"), r.out);
        assertTrue(r.out.contains("4 matched by program and arguments"), r.out);
    }

    @Test
    void differingOutcomesExitOneAndAreListedWithTheirOccurrence() throws Exception {
        Path b = log("b.jsonl",
                exec(7, "other-aarch64", "/opt/emu", "./t1", "./t1", "x"), exited(7, 0, 150, null, null),
                exec(8, "other-aarch64", "/opt/emu", "./t1", "./t1", "x"), killed(8, "SIGILL", 120),
                exec(9, "other-aarch64", "/opt/emu", "./t2", "./t2"));
        Path a = runA();
        Run r = new Run(run("diff", a.toString(), b.toString()));
        assertEquals(1, r.status, r.err);
        assertEquals("""
                jbinfmt diff: A = %s (4 rewritten processes), B = %s (3)
                3 matched by program and arguments (the k-th run of a command line in A with the k-th in B), 1 only in A, 0 only in B

                Outcomes that differ (3; #: the k-th run of that command line)
                  program  #  A         B
                  ./t1 x   2  exited 0  killed by SIGILL (core)
                  ./t2     1  exited 0  unfinished
                  ./t3     1  exited 0  (not run: only in A)

                The runs used different rule names for the same programs, so the per-rule ratios are grouped by A's rule
                  A's rule      B's rule
                  qemu-aarch64  other-aarch64

                Per rule: B/A over matched pairs (timed: the pairs where both times are known)
                  A's rule      pairs  timed  A wall ms  B wall ms  wall B/A  cpu timed  A cpu ms  B cpu ms  cpu B/A
                  qemu-aarch64      3      2      200.0      270.0     1.35x          1     100.0       2.0    0.02x

                Per program: B/A over matched pairs, largest wall ratio first
                  program  pairs  timed  A wall ms  B wall ms  wall B/A  cpu timed  A cpu ms  B cpu ms  cpu B/A
                  ./t1 x       2      2      200.0      270.0     1.35x          1     100.0       2.0    0.02x
                  ./t2         1      0          -          -         -          0         -         -        -
                """.formatted(a, b), r.out);
    }

    @Test
    void jsonCarriesTheSameAndTheSameExitCode() throws Exception {
        Path b = log("b.jsonl",
                exec(7, "qemu-aarch64", QA, "./t1", "./t1", "x"), exited(7, 0, 200, 160.0, 40.0),
                exec(8, "qemu-aarch64", QA, "./t1", "./t1", "x"), exited(8, 0, 200, 160.0, 40.0),
                exec(9, "qemu-aarch64", QA, "./t2", "./t2"), exited(9, 2, 40, 30.0, 10.0),
                exec(10, "qemu-aarch64", QA, "./t3", "./t3"), exited(10, 0, 10, 5.0, 5.0));
        ReportCommandTest.Run r = run("diff", "--json", runA().toString(), b.toString());
        assertEquals(1, r.status(), r.err());
        Map<String, Object> doc = JSON.std.mapFrom(r.out());
        assertEquals(4, doc.get("matched"));
        assertEquals("name", doc.get("rules_grouped_by"));
        List<?> differences = (List<?>) doc.get("differences");
        assertEquals(1, differences.size());
        Map<?, ?> t2 = (Map<?, ?>) differences.getFirst();
        assertEquals(List.of("./t2"), t2.get("args"));
        assertEquals(Map.of("status", "exited", "exit_code", 0), t2.get("a"));
        assertEquals(Map.of("status", "exited", "exit_code", 2), t2.get("b"));
        Map<?, ?> rule = (Map<?, ?>) ((List<?>) doc.get("rules")).getFirst();
        assertEquals(1.8, (Double) ((Map<?, ?>) rule.get("wall_ms")).get("ratio"), 1e-9); // 450 / 250
    }

    @Test
    void badInputExits125NamingTheFileAndLine() throws Exception {
        Path bad = log("bad.jsonl", exec(1, "r", QA, "./a", "./a"), exited(1, 0, 1, 1.0, 1.0), "{\"pid\":");
        ReportCommandTest.Run r = run("diff", runA().toString(), bad.toString());
        assertEquals(ExitCodes.USAGE, r.status());
        assertTrue(r.err().startsWith("jbinfmt: " + bad + ":3: not JSON ("), r.err());
        assertEquals("", r.out());
        ReportCommandTest.Run missing = run("diff", tmp.resolve("none.jsonl").toString(), runA().toString());
        assertEquals(ExitCodes.USAGE, missing.status());
        assertEquals("jbinfmt: " + tmp.resolve("none.jsonl") + ": cannot read: no such file\n", missing.err());
        assertEquals(ExitCodes.USAGE, run("diff", runA().toString()).status()); // one log: a usage error
    }

    @Test
    void helpTeachesMatchingAndTheExitCodes() {
        ReportCommandTest.Run r = run("diff", "--help");
        assertEquals(0, r.status());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("the k-th run of a command line in A is matched with the k-th in B"), help);
        assertTrue(help.contains("grouped by A's rule"), help);
        assertTrue(help.contains("1 some outcome differs"), help);
    }

    private record Run(int status, String out, String err) {
        Run(ReportCommandTest.Run r) {
            this(r.status(), r.out(), r.err());
        }
    }
}
