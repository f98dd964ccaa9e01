package io.jbinfmt.tracer.rewrite;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The line naming a failure of ours: the exception as it prints, and only the frame that threw it. */
class TracerErrorTest {
    private static <T extends Throwable> T thrownAt(T e, StackTraceElement... frames) {
        e.setStackTrace(frames);
        return e;
    }

    private static final StackTraceElement THREW = new StackTraceElement("io.example.Rewrite", "apply",
            "Rewrite.java", 42);
    private static final StackTraceElement CALLER = new StackTraceElement("io.example.Loop", "run", "Loop.java", 7);

    @Test
    void theExceptionAndItsFirstFrameOnly() {
        assertEquals("java.lang.IllegalStateException: no room at io.example.Rewrite.apply(Rewrite.java:42)",
                TracerError.describe(thrownAt(new IllegalStateException("no room"), THREW, CALLER)));
    }

    @Test
    void anExceptionWithoutAMessageIsNamedByItsClass() {
        assertEquals("java.lang.NullPointerException at io.example.Rewrite.apply(Rewrite.java:42)",
                TracerError.describe(thrownAt(new NullPointerException(), THREW)));
    }

    @Test
    void anExceptionWithoutAStackTraceIsJustItself() {
        assertEquals("java.lang.IllegalArgumentException: bad", TracerError.describe(
                thrownAt(new IllegalArgumentException("bad"))));
    }
}
