package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.jbinfmt.cli.report.SampleLogs.exec;
import static io.jbinfmt.cli.report.SampleLogs.exited;
import static io.jbinfmt.cli.report.SampleLogs.killed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** diff's policy: matching the k-th run of a command line, what counts as a different outcome, the ratios. */
class RunDiffTest {
    private static final String QA = "/usr/bin/qemu-aarch64";
    private static final String QB = "/opt/other/aarch64-emu";

    private static String d(RunDiff.Pair p) {
        return p.key().show() + " #" + p.occurrence() + ": " + (p.a() == null ? "-" : p.a().outcome().describe())
                + " / " + (p.b() == null ? "-" : p.b().outcome().describe());
    }

    @Test
    void theKthRunOfACommandLineMatchesTheKthInTheOtherRun() {
        ProcessRuns a = SampleLogs.runs(
                exec(1, "r", QA, "./t1", "./t1", "x"), exited(1, 0, 10, 1.0, 1.0),
                exec(2, "r", QA, "./t2", "./t2"), exited(2, 0, 10, 1.0, 1.0),
                exec(3, "r", QA, "./t1", "./t1", "x"), exited(3, 0, 10, 1.0, 1.0),
                exec(4, "r", QA, "./t1", "./t1", "x"), exited(4, 0, 10, 1.0, 1.0));
        // B runs them in another order, with other pids; only its 3rd ./t1 x fails
        ProcessRuns b = SampleLogs.runs(
                exec(50, "r", QA, "./t1", "./t1", "x"), exited(50, 0, 10, 1.0, 1.0),
                exec(51, "r", QA, "./t1", "./t1", "x"), exited(51, 0, 10, 1.0, 1.0),
                exec(52, "r", QA, "./t2", "./t2"), exited(52, 0, 10, 1.0, 1.0),
                exec(53, "r", QA, "./t1", "./t1", "x"), exited(53, 4, 10, 1.0, 1.0));
        RunDiff diff = RunDiff.of(a, b);
        assertEquals(4, diff.matched());
        assertEquals(List.of("./t1 x #3: exited 0 / exited 4"), diff.differences().stream().map(RunDiffTest::d).toList());
    }

    @Test
    void argumentsArePartOfTheProgramAndMissingRunsAreDifferences() {
        ProcessRuns a = SampleLogs.runs(
                exec(1, "r", QA, "./t1", "./t1", "x"), exited(1, 0, 10, 1.0, 1.0),
                exec(2, "r", QA, "./t1", "./t1", "x"), exited(2, 0, 10, 1.0, 1.0));
        ProcessRuns b = SampleLogs.runs(
                exec(1, "r", QA, "./t1", "./t1", "y"), exited(1, 0, 10, 1.0, 1.0),
                exec(2, "r", QA, "./t1", "./t1", "x"), exited(2, 0, 10, 1.0, 1.0));
        RunDiff diff = RunDiff.of(a, b);
        assertEquals(List.of("./t1 x #2: exited 0 / -", "./t1 y #1: - / exited 0"),
                diff.differences().stream().map(RunDiffTest::d).toList());
        assertEquals(1, diff.onlyIn(true));
        assertEquals(1, diff.onlyIn(false));
    }

    @Test
    void statusExitCodeAndSignalCountButACoreDumpDoesNot() {
        String killedNoCore = "{\"event\":\"exit\",\"pid\":3,\"status\":\"killed\",\"signal\":\"SIGSEGV\","
                + "\"core\":false,\"wall_ms\":1}";
        ProcessRuns a = SampleLogs.runs(
                exec(1, "r", QA, "./unfinished", "./unfinished"),
                exec(2, "r", QA, "./signal", "./signal"), killed(2, "SIGSEGV", 1),
                exec(3, "r", QA, "./core", "./core"), killed(3, "SIGSEGV", 1),
                exec(4, "r", QA, "./status", "./status"), exited(4, 0, 1, 1.0, 1.0),
                exec(5, "r", QA, "./both-unfinished", "./both-unfinished"));
        ProcessRuns b = SampleLogs.runs(
                exec(1, "r", QA, "./unfinished", "./unfinished"), exited(1, 0, 1, 1.0, 1.0),
                exec(2, "r", QA, "./signal", "./signal"), killed(2, "SIGABRT", 1),
                exec(3, "r", QA, "./core", "./core"), killedNoCore,
                exec(4, "r", QA, "./status", "./status"), "{\"event\":\"exit\",\"pid\":4,\"status\":\"exec\"}",
                exec(5, "r", QA, "./both-unfinished", "./both-unfinished"));
        assertEquals(List.of("./unfinished #1: unfinished / exited 0",
                        "./signal #1: killed by SIGSEGV (core) / killed by SIGABRT (core)",
                        "./status #1: exited 0 / exec'd another program"),
                RunDiff.of(a, b).differences().stream().map(RunDiffTest::d).toList());
    }

    @Test
    void ratiosAreOverMatchedPairsAndCpuOnlyWhereBothAreKnown() {
        ProcessRuns a = SampleLogs.runs(
                exec(1, "r", QA, "./t1", "./t1"), exited(1, 0, 100, 40.0, 10.0),
                exec(2, "r", QA, "./t1", "./t1"), exited(2, 0, 100, 40.0, 10.0),
                exec(3, "r", QA, "./t2", "./t2"), exited(3, 0, 50, 20.0, 5.0),
                exec(4, "r", QA, "./only-a", "./only-a"), exited(4, 0, 1000, 1.0, 1.0));
        ProcessRuns b = SampleLogs.runs(
                exec(1, "r", QA, "./t1", "./t1"), exited(1, 0, 150, 60.0, 15.0),
                exec(2, "r", QA, "./t1", "./t1"), exited(2, 0, 250, null, null),
                exec(3, "r", QA, "./t2", "./t2"), exited(3, 0, 25, 10.0, 2.5));
        RunDiff diff = RunDiff.of(a, b);
        RunDiff.Times t1 = diff.perProgram().getFirst(); // 2.00x: the largest wall ratio first
        assertEquals("./t1", t1.key().show());
        assertEquals(new RunDiff.Sum(2, 200, 400), t1.wall());
        assertEquals(new RunDiff.Sum(1, 50, 75), t1.cpu());
        assertEquals(1.5, t1.cpu().ratio());
        assertEquals(0.5, diff.perProgram().get(1).wall().ratio());
        RunDiff.Times rule = diff.perRule().getFirst();
        assertEquals("r", rule.name());
        assertEquals(3, rule.pairs());
        assertEquals(new RunDiff.Sum(3, 250, 425), rule.wall()); // ./only-a is in no pair
        assertEquals(Map.of(), diff.renamedRules());
    }

    @Test
    void rulesNamedOtherwiseInBAreGroupedByAsRuleAndListed() {
        ProcessRuns a = SampleLogs.runs(
                exec(1, "qemu-aarch64", QA, "./t1", "./t1"), exited(1, 0, 100, 1.0, 1.0),
                exec(2, "wasm", "/usr/bin/wasmtime", "./t.wasm", "./t.wasm"), exited(2, 0, 10, 1.0, 1.0));
        ProcessRuns b = SampleLogs.runs(
                exec(1, "other-aarch64", QB, "./t1", "./t1"), exited(1, 0, 300, 1.0, 1.0),
                exec(2, "wasm", "/usr/bin/wasmtime", "./t.wasm", "./t.wasm"), exited(2, 0, 10, 1.0, 1.0));
        RunDiff diff = RunDiff.of(a, b);
        assertEquals(Map.of("qemu-aarch64", Set.of("other-aarch64")), diff.renamedRules());
        assertEquals(List.of("qemu-aarch64", "wasm"), diff.perRule().stream().map(RunDiff.Times::name).toList());
        assertEquals(3.0, diff.perRule().getFirst().wall().ratio());
        assertTrue(diff.differences().isEmpty());
    }

    @Test
    void noPairNoRatio() {
        assertNull(RunDiff.Sum.NONE.ratio());
        assertNull(new RunDiff.Sum(1, 0, 5).ratio());
    }
}
