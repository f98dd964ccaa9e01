package io.jbinfmt.cli;

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

    /**
     * Under the kernel engine, checks that {@code verboseErr} (a -v run's stderr) says that engine ran, so a pass
     * that meant to prove the kernel engine cannot quietly have run another.
     */
    static void assertKernelEngineRan(String verboseErr) {
        assertTrue(verboseErr.lines().anyMatch(l -> l.startsWith("jbinfmt: engine kernel")), verboseErr);
    }
}
