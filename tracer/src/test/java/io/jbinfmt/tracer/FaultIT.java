package io.jbinfmt.tracer;

import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.StopObserver;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected at chosen stops through a {@link StopObserver}: a tracee SIGKILLed at each kind of stop, a
 * tracee killed in the middle of its rewritten exec, a tracer error. Each time the session must end, report the
 * command's real status, and keep handling the rest of the tree.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultIT {
    @TempDir
    Path tmp;

    /** SIGKILLs the tracee of the {@code nth} stop that {@code which} accepts, and counts the kills. */
    static final class KillAt implements StopObserver {
        final Predicate<StopEvent> which;
        final int nth;
        final AtomicInteger seen = new AtomicInteger();
        final AtomicInteger killed = new AtomicInteger();

        KillAt(Predicate<StopEvent> which, int nth) {
            this.which = which;
            this.nth = nth;
        }

        @Override
        public void beforeHandling(StopEvent event) {
            if (which.test(event) && seen.incrementAndGet() == nth) {
                try {
                    Signals.kill(event.tid(), Signals.SIGKILL);
                    killed.incrementAndGet();
                } catch (ErrnoException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    static RuleSet rule(String line) throws Exception {
        return RuleSet.registered(List.of(RuleParser.parse(line.getBytes(), new RuleSource("t", 0))));
    }

    static ExitStatus run(SessionOptions options, String... args) throws Exception {
        try (Session s = Session.start(options, SessionIT.argv(args))) {
            ExitStatus status = s.waitFor();
            assertFalse(s.disturbed(), "a killed tracee is not a tracer error");
            return status;
        }
    }

    Path script(String name, String body) throws Exception {
        Path p = Files.writeString(tmp.resolve(name), body);
        assertTrue(p.toFile().setExecutable(true));
        return p;
    }

    @Test
    void aParentKilledAtItsForkEvent() throws Exception {
        // The shell dies at the fork event of its first child; that child, already traced, runs to its end and
        // jbinfmt waits for it before reporting the shell's death.
        Path done = tmp.resolve("done");
        KillAt kill = new KillAt(e -> e instanceof StopEvent.NewChild, 1);
        ExitStatus s = run(SessionOptions.defaults().withObserver(kill),
                "sh", "-c", "sh -c 'sleep 0.3; echo child > " + done + "'; echo parent >> " + done);
        assertEquals(1, kill.killed.get());
        assertEquals(ExitStatus.killed(Signals.SIGKILL, false), s);
        assertEquals("child\n", Files.readString(done));
    }

    @Test
    void aNewChildKilledAtItsFirstStop() throws Exception {
        Path status = tmp.resolve("status");
        KillAt kill = new KillAt(e -> e instanceof StopEvent.Interrupted, 1);
        ExitStatus s = run(SessionOptions.defaults().withObserver(kill),
                "sh", "-c", "sh -c 'echo never'; echo $? > " + status + "; exit 4");
        assertEquals(1, kill.killed.get());
        assertEquals(ExitStatus.exited(4), s);
        assertEquals("137\n", Files.readString(status));
    }

    @Test
    void killedAtTheSeccompStopOfAnExecThatWouldBeRewritten() throws Exception {
        Path status = tmp.resolve("status");
        Path x = script("x.rw", "exit 6\n");
        KillAt kill = new KillAt(e -> e instanceof StopEvent.Seccomp, 2); // 1 is the command's own exec
        ExitStatus s = run(SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:")).withObserver(kill),
                "sh", "-c", x + "; echo $? > " + status + "; " + x);
        assertEquals(1, kill.killed.get());
        assertEquals(ExitStatus.exited(6), s, "the next rewritten exec still works");
        assertEquals("137\n", Files.readString(status));
    }

    @Test
    void killedWhileItsExecIsBeingRewritten() throws Exception {
        // Under the ptrace engine the listener runs after the rewrite is decided and before it is written into
        // the tracee: a kill there makes the tracer's next write fail mid-rewrite. (The notify engine tells the
        // listener once the rewrite is done, when the program may already have run and exited: not this case.)
        Path status = tmp.resolve("status");
        Path x = script("x.rw", "exit 6\n");
        AtomicInteger rewrites = new AtomicInteger();
        io.jbinfmt.tracer.policy.ExecListener killFirstRewrite = (request, plan) -> {
            if (plan instanceof io.jbinfmt.tracer.policy.ExecPlan.Rewrite && rewrites.incrementAndGet() == 1) {
                try {
                    Signals.kill(request.tid(), Signals.SIGKILL);
                } catch (ErrnoException e) {
                    throw new AssertionError(e);
                }
            }
        };
        ExitStatus s = run(SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:"))
                .withListener(killFirstRewrite).withEngine(io.jbinfmt.tracer.Engine.PTRACE),
                "sh", "-c", x + "; echo $? > " + status + "; " + x);
        assertEquals(2, rewrites.get());
        assertEquals(ExitStatus.exited(6), s);
        assertEquals("137\n", Files.readString(status));
    }

    /**
     * Kills land while jbinfmt holds a process: a watcher SIGKILLs each child of a shell loop of rewritten execs
     * as soon as /proc shows it traced. Under notify a process is traced only while its exec is being rewritten,
     * so these are kills in the middle of the seize/interrupt/exec-event handshake, at whatever moment the
     * watcher catches; under ptrace every child is traced, so they land at its first stops. The session must
     * carry on: the shell sees 137 for each, and a last rewritten exec still runs.
     */
    @Test
    void killedAtRandomMomentsWhileHeldForARewrite() throws Exception {
        signalAtRandomMomentsWhileHeld(tmp, null, Signals.SIGKILL, 137, 5);
    }

    /** The same with outcomes collected (under notify: a cgroup and a pidfd per rewritten process). */
    @Test
    void killedAtRandomMomentsWhileHeldForARewriteWithOutcomes() throws Exception {
        List<io.jbinfmt.tracer.outcome.ProcessOutcome> outcomes =
                java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        signalAtRandomMomentsWhileHeld(tmp, new io.jbinfmt.tracer.policy.ExecListener() {
            @Override
            public void onExec(io.jbinfmt.tracer.policy.ExecRequest request, io.jbinfmt.tracer.policy.ExecPlan plan) {
            }

            @Override
            public boolean wantsOutcomes() {
                return true;
            }

            @Override
            public void onOutcome(io.jbinfmt.tracer.outcome.ProcessOutcome outcome) {
                outcomes.add(outcome);
            }
        }, Signals.SIGKILL, 137, 5);
        assertFalse(outcomes.isEmpty());
        for (io.jbinfmt.tracer.outcome.ProcessOutcome o : outcomes) {
            boolean exited6 = o.end() == io.jbinfmt.tracer.outcome.ProcessOutcome.End.EXITED && o.exitCode() == 6;
            boolean killed = o.end() == io.jbinfmt.tracer.outcome.ProcessOutcome.End.KILLED
                    && o.signal() == Signals.SIGKILL;
            assertTrue(exited6 || killed, o.toString());
        }
    }

    /**
     * Stops and continues each child of the loop while jbinfmt holds it (a Ctrl-Z and fg landing mid-rewrite):
     * the rewrite must still be done, every program run, none lost. SIGTERM, held back like any signal that meets
     * a rewrite, must reach the program it was meant for.
     */
    @Test
    void stoppedAndContinuedOrTerminatedWhileHeldForARewrite() throws Exception {
        signalAtRandomMomentsWhileHeld(tmp, null, Signals.SIGSTOP, 6, 5);
        signalAtRandomMomentsWhileHeld(tmp, null, 15, 143, 5); // SIGTERM
    }

    /**
     * Sends {@code signal} (SIGSTOP: then SIGCONT) to each child of a shell loop of rewritten execs as soon as /proc
     * shows it traced, {@code wanted} times; the shell counts the children that ended with {@code status}.
     */
    static void signalAtRandomMomentsWhileHeld(Path tmp, io.jbinfmt.tracer.policy.ExecListener listener, int signal,
                                               int status, int wanted) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "sig");
        Path x = Files.writeString(dir.resolve("x.rw"), "exit 6\n");
        assertTrue(x.toFile().setExecutable(true));
        Path stop = dir.resolve("stop");
        Path hits = dir.resolve("hits");
        String loop = "i=0; while [ ! -e " + stop + " ] && [ $i -lt " + (3000 + 70 * wanted) + " ]; do " + x + "; echo $? >> " + hits
                + "; i=$((i+1)); done; " + x + "; echo \"final=$?\" >> " + hits + "; exit 9";
        SessionOptions options = SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:"));
        try (Session s = Session.start(listener == null ? options : options.withListener(listener),
                SessionIT.argv("sh", "-c", loop))) {
            int sent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40 + wanted / 4);
            Path children = Path.of("/proc/" + s.pid() + "/task/" + s.pid() + "/children");
            java.util.Set<String> done = new java.util.HashSet<>();
            while (sent < wanted && System.nanoTime() < deadline) {
                String list;
                try {
                    list = Files.readString(children).trim();
                } catch (java.io.IOException gone) {
                    break; // the shell ended
                }
                for (String child : list.isEmpty() ? new String[0] : list.split(" ")) {
                    if (!done.contains(child) && tracerPid(child) > 0) {
                        try {
                            Signals.kill(Integer.parseInt(child), signal);
                            if (signal == Signals.SIGSTOP) {
                                Thread.sleep(20);
                                Signals.kill(Integer.parseInt(child), Signals.SIGCONT);
                            }
                            sent++;
                        } catch (ErrnoException raced) {
                            // it ended first
                        }
                        done.add(child);
                    }
                }
            }
            Files.writeString(stop, "");
            ExitStatus end = s.waitFor();
            assertFalse(s.disturbed(), "a signalled tracee is not a tracer error");
            assertEquals(ExitStatus.exited(9), end);
            assertEquals(wanted, sent, "the watcher caught too few processes held by jbinfmt in time");
            List<String> seen = Files.readAllLines(hits);
            assertEquals("final=6", seen.getLast(), seen.toString());
            for (String line : seen.subList(0, seen.size() - 1)) {
                assertTrue(line.equals("6") || line.equals(Integer.toString(status)), seen.toString());
            }
            if (status != 6) {
                // each signal the watcher sent is one the shell saw (one can land after the program's exit)
                long n = seen.stream().filter(Integer.toString(status)::equals).count();
                assertTrue(n >= 1 && n <= wanted, seen.toString());
            }
        }
    }

    /** TracerPid of process {@code pid}, 0 when untraced or gone. */
    private static int tracerPid(String pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("TracerPid:")) {
                    return Integer.parseInt(line.substring(10).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException gone) {
            return 0;
        }
        return 0;
    }

    @Test
    void killedBetweenARewrittenExecAndTheNewProgramsFirstInstruction() throws Exception {
        // The syscall-exit stop of a rewritten exec, where the auxv touch-ups would happen.
        Path status = tmp.resolve("status");
        Path x = script("x.rw", "exit 6\n");
        KillAt kill = new KillAt(e -> e instanceof StopEvent.SyscallStop, 2); // 1 is the command's own exec
        ExitStatus s = run(SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:O")).withObserver(kill),
                "sh", "-c", x + "; echo $? > " + status + "; " + x);
        assertEquals(1, kill.killed.get());
        assertEquals(ExitStatus.exited(6), s);
        assertEquals("137\n", Files.readString(status));
    }

    @Test
    void killedAtTheExecEventOfARewrittenExecFromANonLeaderThread() throws Exception {
        Path x = script("x.rw", "exit 6\n");
        KillAt kill = new KillAt(e -> e instanceof StopEvent.Exec, 1);
        ExitStatus s = run(SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:")).withObserver(kill),
                TestPrograms.get("exec_from_thread").toString(), x.toString());
        assertEquals(1, kill.killed.get(), "a threaded rewrite turns on exec events");
        assertEquals(ExitStatus.killed(Signals.SIGKILL, false), s);
    }

    @Test
    void aNonLeaderThreadExecsWhileOtherThreadsFork() throws Exception {
        Path x = script("x.rw", "exit 6\n");
        String prog = TestPrograms.get("fork_while_exec").toString();
        for (int i = 0; i < 10; i++) {
            assertEquals(ExitStatus.exited(6), run(SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:")),
                    prog, x.toString()), "rewritten, round " + i);
            assertEquals(ExitStatus.exited(0), run(SessionOptions.defaults(), prog, "/bin/true"), "native, round " + i);
        }
    }

    @Test
    void orphanedZombiesDoNotHoldTheRun() throws Exception {
        // The middle shell never waits for its child, which exits first and stays a zombie until the middle
        // shell dies and init adopts and reaps it.
        ExitStatus s = run(SessionOptions.defaults(), "sh", "-c", "sh -c 'sh -c \"exit 3\" & sleep 0.2; exit 0'; exit 2");
        assertEquals(ExitStatus.exited(2), s);
    }

    @Test
    void aSubreaperAdoptsAndReapsAnOrphanWithItsOwnStatus() throws Exception {
        // The tracer reaps every exit first; the adoptive parent must still get the orphan's own status, and a
        // zombie left unreaped for a while must still be reaped by its parent with its status.
        ExitStatus s = run(SessionOptions.defaults(), "sh", "-c", TestPrograms.get("subreaper") + " > /dev/null");
        assertEquals(ExitStatus.exited(0), s, "0 means every step saw what the kernel promises");
    }

    @Test
    void aTracerErrorIsLoggedWithRegistersAndTheTreeCarriesOn() throws Exception {
        Path x = script("x.rw", "exit 6\n");
        AtomicInteger stops = new AtomicInteger();
        StopObserver failSecondSeccomp = e -> {
            if (e instanceof StopEvent.Seccomp && stops.incrementAndGet() == 2) {
                throw new IllegalStateException("injected fault");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        ExitStatus status;
        boolean disturbed;
        System.setErr(new PrintStream(err, true));
        try (Session s = Session.start(SessionOptions.defaults().withRules(rule(":rw:E::rw::/bin/sh:"))
                .withObserver(failSecondSeccomp), SessionIT.argv("sh", "-c", x + "; " + x))) {
            status = s.waitFor();
            disturbed = s.disturbed();
        } finally {
            System.setErr(saved);
        }
        assertEquals(ExitStatus.exited(6), status, "both execs were still rewritten");
        assertTrue(disturbed);
        String log = err.toString();
        assertTrue(log.matches("(?s)jbinfmt: tracer error at Seccomp\\[tid=\\d+]: the stop observer "
                + "failed: java.lang.IllegalStateException: injected fault\njbinfmt:   pc=0x\\p{XDigit}+ sp=0x"
                + "\\p{XDigit}+ sysnum=59 result=-38\n"), log);
    }
}
