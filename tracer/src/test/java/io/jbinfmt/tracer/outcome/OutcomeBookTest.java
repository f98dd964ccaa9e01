package io.jbinfmt.tracer.outcome;

import io.jbinfmt.tracer.rules.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OutcomeBookTest {
    private long now;
    private final OutcomeBook book = new OutcomeBook(() -> now);

    @Test
    void anExitEndsTheRecordWithItsStatusAndWallTime() {
        now = 1_000;
        assertNull(book.started(7, 7, "./a".getBytes(), List.<Rule>of()));
        now = 6_000;
        ProcessOutcome o = book.ended(7, 3 << 8, 10, 20, 300);
        assertEquals(ProcessOutcome.End.EXITED, o.end());
        assertEquals(3, o.exitCode());
        assertEquals(5_000, o.wallNanos());
        assertEquals(10, o.userMicros());
        assertEquals(300, o.maxRssKb());
        assertFalse(book.tracks(7));
    }

    @Test
    void aSignalAndACoreAreDecodedFromTheWaitStatus() {
        book.started(7, 7, "./a".getBytes(), List.<Rule>of());
        ProcessOutcome o = book.ended(7, 11 | 0x80, -1, -1, -1);
        assertEquals(ProcessOutcome.End.KILLED, o.end());
        assertEquals(11, o.signal());
        assertTrue(o.coreDumped());
        assertFalse(o.cpuKnown());
    }

    @Test
    void aSecondExecEndsTheFirstRecordWithoutCpuTime() {
        now = 0;
        book.started(7, 7, "./a".getBytes(), List.<Rule>of());
        now = 40;
        ProcessOutcome first = book.started(7, 7, "./b".getBytes(), List.<Rule>of());
        assertEquals(ProcessOutcome.End.EXECD, first.end());
        assertEquals("./a", new String(first.program()));
        assertEquals(40, first.wallNanos());
        assertFalse(first.cpuKnown());
        now = 100;
        ProcessOutcome second = book.ended(7, 0, 1, 2, -1);
        assertEquals("./b", new String(second.program()));
        assertEquals(60, second.wallNanos());
    }

    @Test
    void aNonLeaderThreadsExecIsRecordedUnderItsProcessAndNamesTheThread() {
        book.started(7, 12, "./a".getBytes(), List.<Rule>of()); // thread 12 of process 7 exec'd
        assertNull(book.ended(12, 0, -1, -1, -1), "the thread's old tid is no process");
        ProcessOutcome o = book.ended(7, 0, -1, -1, -1);
        assertEquals(7, o.pid());
        assertEquals(12, o.execTid());
        now = 5;
        book.started(7, 12, "./a".getBytes(), List.<Rule>of());
        ProcessOutcome first = book.started(7, 7, "./b".getBytes(), List.<Rule>of());
        assertEquals(12, first.execTid(), "the ended record keeps its own exec's thread");
    }

    @Test
    void unknownStatusesAndStrangersAreSaidSo() {
        assertNull(book.ended(8, 0, 0, 0, 0), "not a rewritten process");
        book.started(9, 9, "./a".getBytes(), List.<Rule>of());
        assertEquals(ProcessOutcome.End.UNKNOWN, book.ended(9, -1, -1, -1, -1).end());
    }
}
