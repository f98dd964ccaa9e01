package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.jbinfmt.cli.report.SampleLogs.exec;
import static io.jbinfmt.cli.report.SampleLogs.exited;
import static io.jbinfmt.cli.report.SampleLogs.killed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** report's policy: grouping, failures, statistics, slowest programs; no files. */
class RunReportTest {
    private static final String QA = "/usr/bin/qemu-aarch64";
    private static final String QR = "/usr/bin/qemu-riscv64";

    @Test
    void groupsByRuleAndInterpreterAndCountsEachKindOfFailure() {
        RunReport report = RunReport.of(SampleLogs.runs(
                exec(1, "qemu-aarch64", QA, "./a", "./a"), exited(1, 0, 10, 4.0, 1.0),
                exec(2, "qemu-aarch64", QA, "./b", "./b"), exited(2, 3, 20, 4.0, 1.0),
                exec(3, "qemu-aarch64", QA, "./c", "./c"), killed(3, "SIGSEGV", 30),
                exec(4, "qemu-aarch64", QA, "./d", "./d"), // unfinished
                exec(5, "qemu-aarch64", "/opt/qemu/bin/qemu-aarch64", "./e", "./e"), exited(5, 0, 1, 1.0, 1.0),
                exec(6, "qemu-riscv64", QR, "./f", "./f"), exited(6, 0, 2, 1.0, 1.0)));
        assertEquals(6, report.processes());
        assertEquals(List.of("qemu-aarch64 /opt/qemu/bin/qemu-aarch64", "qemu-aarch64 " + QA, "qemu-riscv64 " + QR),
                report.groups().stream().map(g -> g.rule() + " " + g.interpreter()).toList());
        RunReport.Group a = report.groups().get(1);
        assertEquals(4, a.processes());
        assertEquals(1, a.exitedNonZero());
        assertEquals(1, a.killed());
        assertEquals(1, a.unfinished());
        assertEquals(3, a.failures());
        assertEquals(new TimeSummary(3, 1, 60, 20, 29), a.wall());
        assertEquals(Map.of("qemu-aarch64", 61.0, "qemu-riscv64", 2.0), report.wallPerRule());
    }

    @Test
    void anEndTheKernelDidNotTellIsNeitherFailedNorPassedAndIsSaid() {
        RunReport report = RunReport.of(SampleLogs.runs(
                exec(1, "r", QA, "./a", "./a"), "{\"event\":\"exit\",\"pid\":1,\"status\":\"unknown\",\"wall_ms\":5}"));
        RunReport.Group g = report.groups().getFirst();
        assertEquals(0, g.failures());
        assertEquals(1, g.endUnknown());
        assertTrue(ReportText.render(report, List.of("x.jsonl")).contains("Note: 1 process ended without the kernel "
                + "saying how (the notify engine before Linux 6.15): counted as neither failed nor passed\n"));
    }

    @Test
    void cpuTimeIsSummedOverTheProcessesWhereItIsKnown() {
        RunReport report = RunReport.of(SampleLogs.runs(
                exec(1, "r", QA, "./a", "./a"), exited(1, 0, 10, 4.0, 1.0),
                exec(2, "r", QA, "./b", "./b"), exited(2, 0, 10, null, null),
                exec(3, "r", QA, "./c", "./c"), exited(3, 0, 10, 2.0, null),
                exec(4, "r", QA, "./d", "./d"), exited(4, 0, 10, 6.0, 1.0)));
        TimeSummary cpu = report.groups().getFirst().cpu();
        assertEquals(2, cpu.known());
        assertEquals(2, cpu.unknown());
        assertEquals(12.0, cpu.total());
        assertEquals(6.0, cpu.median());
    }

    @Test
    void theSlowestFiveByWallTimeWithTheirArguments() {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 7; i++) {
            lines.add(exec(i, "r", QA, "./t", "./t", "n" + i));
            lines.add(exited(i, 0, i == 3 ? 100 : i, 1.0, 1.0));
        }
        lines.add(exec(99, "r", QA, "./never-ends", "./never-ends")); // no wall time: not ranked
        RunReport.Group g = RunReport.of(SampleLogs.runs(lines.toArray(String[]::new))).groups().getFirst();
        assertEquals(List.of("./t n3", "./t n7", "./t n6", "./t n5", "./t n4"),
                g.slowest().stream().map(ProcessRun::program).toList());
    }
}
