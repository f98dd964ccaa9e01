package io.jbinfmt.cli;

import org.junit.jupiter.api.Assumptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine a failsafe run puts bin/jbinfmt on through $JBINFMT_ENGINE (none: auto), for the end-to-end tests
 * that run under each engine and whose checks differ where an engine cannot see the execs.
 */
final class EngineUnderTest {
    private EngineUnderTest() {
    }

    /** notify, ptrace, kernel, or auto when the run names none. */
    static String name() {
        String e = System.getenv("JBINFMT_ENGINE");
        return e == null || e.isEmpty() ? "auto" : e;
    }

    /** The kernel engine runs every exec itself: -v prints no exec lines, --log and --stats are refused. */
    static boolean seesNoExecs() {
        return name().equals("kernel");
    }

    /** Probe results by user prefix (none: as we are; setpriv: as nobody); "" when the kernel engine runs. */
    private static final Map<List<String>, String> REFUSALS = new ConcurrentHashMap<>();

    /**
     * Whether {@code --engine kernel} runs on this kernel for the user {@code prefix} runs jbinfmt as (Linux 6.7+,
     * user namespaces allowed, no LSM in the way: facts of the host, not tools to install). Where it does not,
     * checks that jbinfmt says so as it must (exit 125, one line) and aborts the test with that line.
     */
    static void assumeKernelEngineRuns(String test, List<String> prefix) {
        String refusal = REFUSALS.computeIfAbsent(List.copyOf(prefix), EngineUnderTest::probeKernelEngine);
        if (!refusal.isEmpty()) {
            String line = test + ": the kernel engine cannot run here" + (prefix.isEmpty() ? "" : " as "
                    + String.join(" ", prefix)) + ", so only its refusal was checked: " + refusal;
            System.out.println(line); // an aborted @BeforeAll shows in no report
            Assumptions.abort(line);
        }
    }

    private static String probeKernelEngine(List<String> prefix) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(LauncherIT.LAUNCHER.toString(), "--engine", "kernel", "--no-defaults", "--", "true"));
        try {
            LauncherIT.Result r = LauncherIT.start(new ProcessBuilder(cmd).directory(new java.io.File("/")), null);
            if (r.status() == 0) {
                return "";
            }
            assertEquals(ExitCodes.USAGE, r.status(), "--engine kernel failed otherwise than by refusing: " + r.err());
            assertEquals(1, r.err().lines().count(), "a refusal is one line: " + r.err());
            return r.err().strip();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Under the kernel engine, checks that {@code verboseErr} (a -v run's stderr) says that engine ran, so a pass
     * that meant to prove the kernel engine cannot quietly have run another.
     */
    static void assertKernelEngineRan(String verboseErr) {
        assertTrue(verboseErr.lines().anyMatch(l -> l.startsWith("jbinfmt: engine kernel")), verboseErr);
    }
}
