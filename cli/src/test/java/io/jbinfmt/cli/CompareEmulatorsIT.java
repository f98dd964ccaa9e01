package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "compare two emulators" use, end to end with real parts: one small suite of aarch64 programs run
 * under two real emulator configurations (qemu-aarch64 as it comes, and emulating an ARMv8.0 Cortex-A53 one
 * instruction per block), each run logged, then {@code report} on both logs and {@code diff} between them.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompareEmulatorsIT {
    private static final Path EXAMPLE = LauncherIT.REPO.resolve("examples/compare");

    @TempDir
    Path tmp;

    @Test
    void theSameSuiteUnderTwoEmulatorsIsReportedAndDiffed() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        Path lse = ForeignFixtures.aarch64Lse("lse");
        Files.copy(hello, tmp.resolve("hello-aarch64"));
        Files.copy(lse, tmp.resolve("lse-aarch64"));
        tmp.resolve("hello-aarch64").toFile().setExecutable(true);
        tmp.resolve("lse-aarch64").toFile().setExecutable(true);
        Path a = tmp.resolve("a.jsonl");
        Path b = tmp.resolve("b.jsonl");

        LauncherIT.Result runA = LauncherIT.run(null, "--rules", EXAMPLE.resolve("qemu-max.conf").toString(), "--log",
                a.toString(), "--log-format", "json", "--", EXAMPLE.resolve("suite.sh").toString(), tmp.toString());
        assertEquals(1, runA.status(), runA.out() + runA.err()); // the suite's own expected failure: exit=1
        assertTrue(runA.out().contains("PASS: " + tmp + "/lse-aarch64\n"), runA.out());
        LauncherIT.Result runB = LauncherIT.run(null, "--rules", EXAMPLE.resolve("qemu-a53.conf").toString(), "--log",
                b.toString(), "--log-format", "json", "--", EXAMPLE.resolve("suite.sh").toString(), tmp.toString());
        assertEquals(1, runB.status(), runB.out() + runB.err());
        assertTrue(runB.out().contains("FAIL: " + tmp + "/lse-aarch64 (132)\n"), runB.out()); // SIGILL: 128 + 4

        LauncherIT.Result report = LauncherIT.run(null, "report", a.toString(), b.toString());
        assertEquals(0, report.status(), report.err());
        // five processes per run; the a53 run failed two (exit=1 and the SIGILL), the other one
        assertTrue(report.out().matches("(?s).*\\n  qemu-aarch64 +/usr/bin/qemu-aarch64 +5 +1 +1 +0 +0\\n.*"),
                report.out());
        assertTrue(report.out().matches("(?s).*\\n  qemu-aarch64-a53 +/usr/bin/qemu-aarch64 +5 +2 +1 +1 +0\\n.*"),
                report.out());
        assertTrue(report.out().contains("killed by SIGILL  " + tmp + "/lse-aarch64"), report.out());

        LauncherIT.Result diff = LauncherIT.run(null, "diff", a.toString(), b.toString());
        assertEquals(1, diff.status(), diff.out() + diff.err()); // outcomes differ, as diff(1) says
        assertTrue(diff.out().contains("5 matched by program and arguments"), diff.out());
        String differ = diff.out().substring(diff.out().indexOf("Outcomes that differ"),
                diff.out().indexOf("The runs used different rule names"));
        assertTrue(differ.contains("Outcomes that differ (1;"), differ);
        assertTrue(differ.matches("(?s).*" + tmp + "/lse-aarch64 +1 +exited 0 +killed by SIGILL\\n.*"), differ);
        assertTrue(diff.out().matches("(?s).*\\n  qemu-aarch64 +qemu-aarch64-a53\\n.*"), diff.out());

        LauncherIT.Result same = LauncherIT.run(null, "diff", a.toString(), a.toString());
        assertEquals(0, same.status(), same.out() + same.err());
    }
}
