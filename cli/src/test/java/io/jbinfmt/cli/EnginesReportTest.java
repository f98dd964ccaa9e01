package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Yama line of {@code check --engines}: said only where Yama restricts ptrace, and what works then. */
class EnginesReportTest {
    @Test
    void noLineWithoutYamaOrAtScopeZero() {
        assertNull(EnginesReport.yama(-1, true));
        assertNull(EnginesReport.yama(0, false));
    }

    @Test
    void scopeOneKeepsDaemonsInTheTree() {
        assertTrue(EnginesReport.yama(1, false).startsWith("yama: kernel.yama.ptrace_scope is 1 (only descendants "
                + "may be traced): every engine works; under notify, daemons the command leaves stay descendants"));
    }

    @Test
    void scopeTwoDependsOnCapSysPtraceAndThreeAllowsNone() {
        assertTrue(EnginesReport.yama(2, true).endsWith("as root every engine works, as at 1"));
        assertTrue(EnginesReport.yama(2, false).contains("as a user no engine runs"));
        assertTrue(EnginesReport.yama(3, true).contains("no engine runs"));
    }
}
