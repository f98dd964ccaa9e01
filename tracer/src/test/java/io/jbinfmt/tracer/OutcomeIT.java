package io.jbinfmt.tracer;

import io.jbinfmt.tracer.outcome.ProcessOutcome;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How rewritten processes ended, under each engine: exit status, signal, wall and CPU time, a second exec. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OutcomeIT {
    /** Shell arithmetic for a while: a few hundred milliseconds of CPU. */
    private static final String BUSY_LOOP = "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done";

    @TempDir
    Path tmp;

    /** An interpreter that runs the program file's text as shell commands, with $2... as its arguments. */
    private String rule() throws Exception {
        Path interp = executable("interp", "#!/bin/sh\nprog=$1; shift; . \"$prog\"\n");
        return ":sh-prog:E::prog::" + interp + ":\n";
    }

    private Path executable(String name, String text) throws Exception {
        Path p = Files.writeString(tmp.resolve(name), text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private TracedProcess start(Engine engine, String... command) throws Exception {
        try {
            return new TracedProcessBuilder(command).engine(engine).rules(rule()).directory(tmp.toFile())
                    .recordOutcomes(true).start();
        } catch (SpawnException e) {
            org.junit.jupiter.api.Assumptions.assumeFalse(engine == Engine.NOTIFY && e.errno() == 0,
                    "OutcomeIT: the notify engine cannot run here, not applicable: " + e.getMessage());
            throw e;
        }
    }

    private static String program(ProcessOutcome o) {
        return new String(o.program());
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void exitStatusesAndSignalsArriveOncePerRewrittenProcess(Engine engine) throws Exception {
        executable("three.prog", "exit 3\n");
        executable("zero.prog", "exit 0\n");
        executable("term.prog", "kill -TERM $$\n");
        try (TracedProcess p = start(engine, "sh", "-c", "./three.prog; ./zero.prog; ./term.prog; /bin/true; exit 7")) {
            assertEquals(7, p.waitFor());
            List<ProcessOutcome> o = p.outcomes();
            assertEquals(List.of("./three.prog", "./zero.prog", "./term.prog"),
                    o.stream().map(OutcomeIT::program).toList(), o.toString()); // /bin/true and sh: not rewritten
            assertEquals(ProcessOutcome.End.EXITED, o.get(0).end());
            assertEquals(3, o.get(0).exitCode());
            assertTrue(o.get(1).succeeded());
            assertEquals(ProcessOutcome.End.KILLED, o.get(2).end());
            assertEquals(15, o.get(2).signal());
            assertEquals("sh-prog", o.get(0).rules().getFirst().name());
            int sh = (int) p.pid();
            assertTrue(o.stream().allMatch(x -> x.pid() != sh && x.pid() > 0), o.toString());
        }
    }

    /** A non-leader thread's exec: the record is the process's, and names the thread the exec's record named. */
    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void aThreadsExecIsRecordedForItsProcessWithTheThreadThatMadeIt(Engine engine) throws Exception {
        Path six = executable("six.prog", "exit 6\n");
        try (TracedProcess p = start(engine, TestPrograms.get("exec_from_thread").toString(), six.toString())) {
            assertEquals(6, p.waitFor());
            List<ProcessOutcome> o = p.outcomes();
            assertEquals(1, o.size(), o.toString());
            assertEquals(6, o.getFirst().exitCode());
            assertEquals((int) p.pid(), o.getFirst().pid(), "the process runs on under its own pid");
            assertTrue(o.getFirst().execTid() != o.getFirst().pid() && o.getFirst().execTid() > 0, o.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void cpuTimeIsWhatTheProcessMeasuresOfItself(Engine engine) throws Exception {
        // busy for a while, then print the shell's own CPU times (times: user and system, of itself)
        executable("busy.prog", BUSY_LOOP + "; times > times.txt\n");
        executable("sleepy.prog", "sleep 0.4\n");
        try (TracedProcess p = start(engine, "sh", "-c", "./busy.prog && ./sleepy.prog")) {
            assertEquals(0, p.waitFor());
            ProcessOutcome busy = p.outcomes().get(0);
            ProcessOutcome sleepy = p.outcomes().get(1);
            assertTrue(busy.cpuKnown(), busy.toString());
            long selfMicros = ownCpuMicros(Files.readAllLines(tmp.resolve("times.txt")).getFirst());
            long ours = busy.userMicros() + busy.sysMicros();
            // times has 10 ms steps; ours adds the exec and the shell's start-up and exit
            assertTrue(selfMicros > 50_000, "the loop should take a while: " + selfMicros);
            assertTrue(Math.abs(ours - selfMicros) < 30_000 + selfMicros / 5,
                    "CPU " + ours + " us against " + selfMicros + " us the process saw: " + busy);
            assertTrue(busy.wallNanos() / 1000 >= ours - 20_000, busy.toString());
            assertTrue(sleepy.wallNanos() >= 400_000_000L, sleepy.toString());
            assertTrue(sleepy.userMicros() + sleepy.sysMicros() < 200_000, sleepy.toString());
            if (engine == Engine.PTRACE) {
                assertTrue(busy.maxRssKb() > 0, busy.toString()); // wait4's rusage
            } else {
                assertEquals(-1, busy.maxRssKb(), "the notify engine does not measure peak RSS");
            }
        }
    }

    /**
     * A process that ends at once, after a busy one: its CPU time is its own (the notify engine gives it the busy
     * one's group once that is empty, and must count from where the busy one left it).
     */
    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void aProcessAfterABusyOneCountsOnlyItsOwnCpu(Engine engine) throws Exception {
        executable("busy.prog", BUSY_LOOP + "\n");
        executable("quick.prog", "exit 0\n");
        try (TracedProcess p = start(engine, "sh", "-c", "./busy.prog; sleep 0.2; ./quick.prog; ./quick.prog")) {
            assertEquals(0, p.waitFor());
            List<ProcessOutcome> o = p.outcomes();
            assertEquals(3, o.size(), o.toString());
            long busy = o.get(0).userMicros() + o.get(0).sysMicros();
            assertTrue(busy > 50_000, o.toString());
            for (ProcessOutcome quick : o.subList(1, 3)) {
                assertTrue(quick.cpuKnown() && quick.userMicros() >= 0 && quick.sysMicros() >= 0, quick.toString());
                assertTrue(quick.userMicros() + quick.sysMicros() < Math.min(30_000, busy / 2),
                        "a shell that exits at once, after one that ran " + busy + " us: " + quick);
            }
        }
    }

    /** "0m0.52s 0m0.01s": the first line of the shell's times. */
    private static long ownCpuMicros(String line) {
        long total = 0;
        for (String part : line.trim().split("\\s+")) {
            String[] ms = part.replace("s", "").split("m");
            total += (long) (Double.parseDouble(ms[0]) * 60_000_000 + Double.parseDouble(ms[1]) * 1_000_000);
        }
        return total;
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void aSecondRewrittenExecEndsTheFirstRecordAndTheCommandItselfCounts(Engine engine) throws Exception {
        executable("first.prog", "exec ./second.prog\n");
        executable("second.prog", "exit 4\n");
        try (TracedProcess p = start(engine, "./first.prog")) {
            assertEquals(4, p.waitFor());
            List<ProcessOutcome> o = p.outcomes();
            assertEquals(2, o.size(), o.toString());
            assertEquals("./first.prog", program(o.get(0)));
            assertEquals(ProcessOutcome.End.EXECD, o.get(0).end());
            assertTrue(!o.get(0).cpuKnown(), "the CPU time goes to the last record");
            assertEquals("./second.prog", program(o.get(1)));
            assertEquals(4, o.get(1).exitCode());
            assertEquals(o.get(0).pid(), o.get(1).pid());
            assertEquals((int) p.pid(), o.get(1).pid());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void aProcessLeftRunningIsRecordedWhenItEnds(Engine engine) throws Exception {
        executable("late.prog", "sleep 0.5; exit 9\n");
        try (TracedProcess p = start(engine, "sh", "-c", "./late.prog & exit 0")) {
            assertEquals(0, p.waitFor());
            List<ProcessOutcome> o = p.outcomes();
            assertEquals(1, o.size(), o.toString());
            assertEquals(9, o.getFirst().exitCode(), o.toString());
        }
    }
}
