package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.jbinfmt.cli.report.SampleLogs.exec;
import static io.jbinfmt.cli.report.SampleLogs.exited;
import static io.jbinfmt.cli.report.SampleLogs.pass;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Linking exit records to the rewrite exec records they end. */
class ProcessRunsTest {
    private static final String Q = "/usr/bin/qemu-aarch64";

    @Test
    void anExitEndsTheMostRecentRewriteOfItsPid() {
        ProcessRuns runs = SampleLogs.runs(
                exec(10, "qemu-aarch64", Q, "./a", "./a", "1"),
                exec(11, "qemu-aarch64", Q, "./b", "./b"),
                exited(11, 2, 5, 1.0, 1.0),
                exited(10, 0, 7, 3.0, 1.0),
                exec(10, "qemu-aarch64", Q, "./c", "./c"), // pid 10 reused
                exited(10, 1, 9, null, null));
        List<ProcessRun> r = runs.runs();
        assertEquals(List.of("./a", "./b", "./c"), r.stream().map(ProcessRun::path).toList());
        assertEquals(new Outcome.Exited(0), r.get(0).outcome());
        assertEquals(7.0, r.get(0).wallMs());
        assertEquals(4.0, r.get(0).cpuMs());
        assertEquals(new Outcome.Exited(2), r.get(1).outcome());
        assertEquals(new Outcome.Exited(1), r.get(2).outcome());
        assertNull(r.get(2).cpuMs());
        assertEquals(List.of(), runs.strayExits());
    }

    @Test
    void aProgramThatExecsAnotherIsRewrittenAgainUnderTheSamePid() {
        ProcessRuns runs = SampleLogs.runs(
                exec(10, "qemu-aarch64", Q, "./wrapper", "./wrapper"),
                "{\"event\":\"exit\",\"pid\":10,\"status\":\"exec\",\"wall_ms\":2.0}",
                pass(10, "/bin/echo"), // pass and fail records start nothing of ours
                exec(10, "qemu-riscv64", "/usr/bin/qemu-riscv64", "./inner", "./inner"),
                exited(10, 0, 4, 1.0, 1.0));
        assertEquals(2, runs.runs().size());
        assertEquals(new Outcome.ExecdAnother(), runs.runs().get(0).outcome());
        assertEquals("qemu-riscv64", runs.runs().get(1).rule());
        assertEquals(new Outcome.Exited(0), runs.runs().get(1).outcome());
    }

    @Test
    void anExecdEndLoggedAfterTheNextRewriteStillEndsTheFirstProgram() {
        // as jbinfmt logs it: the second exec when decided, the first program's end when that exec has succeeded
        ProcessRuns runs = SampleLogs.runs(
                exec(10, "qemu-aarch64", Q, "./wrapper", "./wrapper"),
                exec(10, "qemu-riscv64", "/usr/bin/qemu-riscv64", "./inner", "./inner"),
                "{\"event\":\"exit\",\"pid\":10,\"path\":\"./wrapper\",\"status\":\"exec\",\"wall_ms\":2.0,"
                        + "\"user_ms\":null,\"sys_ms\":null,\"max_rss_kb\":null}",
                exited(10, 0, 4, 1.0, 1.0, "./inner"));
        assertEquals(new Outcome.ExecdAnother(), runs.runs().get(0).outcome());
        assertEquals(new Outcome.Exited(0), runs.runs().get(1).outcome());
        assertEquals(List.of(), runs.strayExits());
    }

    @Test
    void aRewrittenExecThatFailedDoesNotTakeTheEndOfTheProgramThatMadeIt() {
        ProcessRuns runs = SampleLogs.runs(
                exec(10, "qemu-aarch64", Q, "./a", "./a"),
                exec(10, "wasm", "/missing/runtime", "./b.wasm", "./b.wasm"), // failed: its process never started
                exited(10, 3, 4, 1.0, 1.0, "./a"));
        assertEquals(new Outcome.Exited(3), runs.runs().get(0).outcome());
        assertEquals(new Outcome.Unfinished(), runs.runs().get(1).outcome());
    }

    @Test
    void noExitIsUnfinishedAndAnExitWithoutItsExecIsStray() {
        ProcessRuns runs = SampleLogs.runs(
                exited(5, 0, 1, 1.0, 1.0), // before any exec of pid 5
                exec(6, "qemu-aarch64", Q, "./a", "./a"),
                exec(7, "qemu-aarch64", Q, "./b", "./b"),
                exited(7, 0, 1, 1.0, 1.0),
                exited(7, 0, 1, 1.0, 1.0)); // pid 7 ended already
        assertEquals(new Outcome.Unfinished(), runs.runs().get(0).outcome());
        assertNull(runs.runs().get(0).wallMs());
        assertEquals(List.of("test:1", "test:5"), runs.strayExits());
    }

    @Test
    void chainsOfRulesAreJoined() {
        ProcessRuns runs = SampleLogs.runs(exec(1, "wasm then node-script", "/usr/bin/node", "./t.wasm", "./t.wasm"));
        assertEquals("wasm then node-script", runs.runs().getFirst().rule());
    }

    @Test
    void theProgramIsShownAsACommandLine() {
        assertEquals("./t1 x 'two words'", new ProcessRun.Key("./t1", List.of("./t1", "x", "two words")).show());
        assertEquals("./t1 [argv0 t1] x", new ProcessRun.Key("./t1", List.of("t1", "x")).show());
        assertEquals("./t1", new ProcessRun.Key("./t1", null).show());
        assertEquals("'./a b' '' x\\x1b[31m", new ProcessRun.Key("./a b", List.of("./a b", "", "x\u001b[31m")).show());
    }
}
