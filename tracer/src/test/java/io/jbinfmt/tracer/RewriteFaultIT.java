package io.jbinfmt.tracer;

import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rewrite.RewriteStep;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tracer error at each step of a rewrite, under the engine of this test run: nothing hangs, nothing is left
 * stopped, the exec'ing program sees one errno (before the point of no return) or its new program runs untouched
 * (after it), the rest of the tree goes on, and the session says it was disturbed. The fault is injected through
 * {@link RewriteFaults} at the first occurrence of the step.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RewriteFaultIT {
    @TempDir
    static Path dir;

    /** The steps after which the new program is loaded: a failure there lets it run without touch-ups. */
    static final Set<RewriteStep> AFTER_EXEC = EnumSet.of(RewriteStep.EXEC_EVENT, RewriteStep.FIXUP,
            RewriteStep.DETACH);

    /** Fails the first time {@code step} comes, and counts that it came. */
    static final class FailOnce implements RewriteFaults {
        final RewriteStep step;
        final AtomicInteger fired = new AtomicInteger();

        FailOnce(RewriteStep step) {
            this.step = step;
        }

        @Override
        public void before(RewriteStep s) {
            if (s == step && fired.incrementAndGet() == 1) {
                throw new IllegalStateException("injected at " + s);
            }
        }
    }

    static Engine engineUnderTest() throws Exception {
        try (Session s = Session.start(SessionOptions.defaults(), SessionIT.argv("/bin/true"))) {
            s.waitFor();
            return s.engine().engine();
        }
    }

    /** The steps the engine has: the ptrace engine sees an exec event only for a thread's exec. */
    static List<RewriteStep> steps(Engine engine) {
        return engine == Engine.NOTIFY ? List.of(RewriteStep.values())
                : List.of(RewriteStep.ARGV_WRITE, RewriteStep.RESTART, RewriteStep.EXEC_EVENT, RewriteStep.FIXUP);
    }

    @TestFactory
    List<DynamicTest> aFailureAtEachStepEndsInOneErrnoOrAnUntouchedProgram() throws Exception {
        Engine engine = engineUnderTest();
        Path program = Files.writeString(dir.resolve("p.x"), "FAULTMAGIC\n");
        assertTrue(program.toFile().setExecutable(true));
        String rule = ":fm:M::FAULTMAGIC::" + TestPrograms.get("probe") + ":O";
        String execer = TestPrograms.get("execer").toString();
        List<DynamicTest> tests = new ArrayList<>();
        for (RewriteStep step : steps(engine)) {
            boolean ran = AFTER_EXEC.contains(step);
            // a threaded exec'er, for the ptrace engine's exec event
            boolean thread = engine != Engine.NOTIFY && step == RewriteStep.EXEC_EVENT;
            String first = thread ? TestPrograms.get("exec_from_thread") + " ./p.x"
                    : execer + " exec ./p.x x first";
            tests.add(DynamicTest.dynamicTest(engine + ", a child's exec, " + step.specName(), () -> {
                String out = run(step, rule, "sh", "-c", first + "; echo rc=$?; " + execer + " exec ./p.x x second");
                String[] parts = out.split("rc=", -1);
                if (ran) {
                    assertTrue(out.contains("argv[1]=./p.x\n"), out);
                    assertTrue(!out.contains("errno="), "no errno after the point of no return: " + out);
                } else {
                    assertEquals(1, out.split("errno=", -1).length - 1, "one errno: " + out);
                    assertTrue(out.contains("errno=ENOEXEC\nrc=111\n"), out);
                }
                // the next exec of the tree is rewritten in full
                assertTrue(parts[parts.length - 1].contains("argv[2]=second\n")
                        && parts[parts.length - 1].contains("at_execfd=3\n"), "the tree went on: " + out);
            }));
            if (!thread && step != RewriteStep.SEIZE) { // the command is ours from its spawn: never seized
                tests.add(DynamicTest.dynamicTest(engine + ", the command's own exec, " + step.specName(), () -> {
                    if (ran) {
                        assertTrue(run(step, rule, "./p.x", "own").contains("argv[1]=./p.x\n"));
                    } else {
                        SpawnException e = assertThrows(SpawnException.class, () -> run(step, rule, "./p.x", "own"));
                        assertEquals(io.jbinfmt.tracer.sys.Errno.ENOEXEC.code, e.errno(), e.getMessage());
                    }
                }));
            }
        }
        return tests;
    }

    /**
     * Both engines hand an F interpreter into a thread in a chroot (no /proc there) before its exec (notify: before
     * it interrupts it; ptrace: an exec skipped and made again): a failure at any step before the exec must close
     * that descriptor again, for the thread goes on. The descriptors a failed exec leaves are compared with those
     * of an exec that fails without a rule involved.
     */
    @TestFactory
    List<DynamicTest> aFailureBeforeTheExecLeavesNoHandedInInterpreter() throws Exception {
        Engine engine = engineUnderTest();
        List<DynamicTest> tests = new ArrayList<>();
        if (io.jbinfmt.tracer.sys.ProcessCalls.geteuid() != 0) {
            return tests; // chroot needs root
        }
        Path root = Files.createDirectories(dir.resolve("root"));
        Path program = Files.writeString(root.resolve("p.f"), "FAULTFIXED\n");
        assertTrue(program.toFile().setExecutable(true));
        String rule = ":ff:M::FAULTFIXED::" + TestPrograms.getStatic("probe") + ":F";
        String inRoot = TestPrograms.get("execer") + " chroot " + root + " / ";
        for (RewriteStep step : steps(engine)) {
            if (AFTER_EXEC.contains(step)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(engine + ", an F interpreter handed into a chroot, " + step.specName(),
                    () -> {
                String out = run(step, rule, "sh", "-c", inRoot + "fds exec /p.f x first; " + inRoot
                        + "fds exec /missing x; " + inRoot + "exec /p.f x second");
                List<String> left = out.lines().filter(l -> l.startsWith("open after the failed exec:")).toList();
                assertEquals(2, left.size(), out);
                assertTrue(out.contains("errno=ENOEXEC\n"), "the failed step's errno: " + out);
                assertEquals(left.get(1), left.get(0), "the same descriptors as after any failed exec: " + out);
                assertTrue(out.contains("argv[2]=second\n"), "the next exec runs the interpreter: " + out);
            }));
        }
        return tests;
    }

    /** Runs {@code command} with the fault; returns its output. Must end, disturbed, with the fault fired once. */
    static String run(RewriteStep step, String rule, String... command) throws Exception {
        FailOnce fault = new FailOnce(step);
        Path out = dir.resolve("out-" + step.specName());
        SessionOptions options = SessionOptions.defaults().withRules(FaultIT.rule(rule)).withFaults(fault)
                .withDirectory(dir.toString().getBytes())
                .withRedirects(List.of(new Redirect(1, out.toString().getBytes(), Redirect.Mode.WRITE)));
        try (Session s = Session.start(options, SessionIT.argv(command))) {
            try {
                ExitStatus status = assertTimeoutPreemptively(Duration.ofSeconds(30), s::waitFor, "hung");
                assertEquals(ExitStatus.exited(0), status, Files.readString(out));
            } finally {
                assertTrue(fault.fired.get() >= 1, "the step " + step + " never came");
                assertTrue(s.disturbed(), "the failure is reported");
            }
            return Files.readString(out);
        }
    }
}
