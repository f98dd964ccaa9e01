package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.sys.Ptrace;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Raw statuses as the kernel builds them (see wait(2) and ptrace(2)). */
class WaitStatusDecoderTest {
    private static final int SIGTRAP = 5;
    private static final int SIGSTOP = 19;
    private static final int SIGTSTP = 20;
    private static final int SIGINT = 2;

    private static int stopped(int signal, int event) {
        return (event << 16) | (signal << 8) | 0x7f;
    }

    @Test
    void exitAndDeath() {
        assertEquals(new StopEvent.Exited(10, 7), WaitStatusDecoder.decode(10, 7 << 8));
        assertEquals(new StopEvent.Exited(10, 0), WaitStatusDecoder.decode(10, 0));
        assertEquals(new StopEvent.Killed(10, 15, false), WaitStatusDecoder.decode(10, 15));
        assertEquals(new StopEvent.Killed(10, 11, true), WaitStatusDecoder.decode(10, 11 | 0x80));
    }

    @Test
    void ptraceEvents() {
        assertEquals(new StopEvent.Seccomp(3), WaitStatusDecoder.decode(3, stopped(SIGTRAP, Ptrace.EVENT_SECCOMP)));
        assertEquals(new StopEvent.NewChild(3, Ptrace.EVENT_FORK),
                WaitStatusDecoder.decode(3, stopped(SIGTRAP, Ptrace.EVENT_FORK)));
        assertEquals(new StopEvent.NewChild(3, Ptrace.EVENT_VFORK),
                WaitStatusDecoder.decode(3, stopped(SIGTRAP, Ptrace.EVENT_VFORK)));
        assertEquals(new StopEvent.NewChild(3, Ptrace.EVENT_CLONE),
                WaitStatusDecoder.decode(3, stopped(SIGTRAP, Ptrace.EVENT_CLONE)));
        assertEquals(new StopEvent.Exec(3), WaitStatusDecoder.decode(3, stopped(SIGTRAP, Ptrace.EVENT_EXEC)));
        assertEquals(new StopEvent.OtherEvent(3, Ptrace.EVENT_EXIT),
                WaitStatusDecoder.decode(3, stopped(SIGTRAP, Ptrace.EVENT_EXIT)));
    }

    @Test
    void eventStopIsGroupStopOnlyWithAStoppingSignal() {
        assertEquals(new StopEvent.GroupStop(4, SIGSTOP), WaitStatusDecoder.decode(4, stopped(SIGSTOP, Ptrace.EVENT_STOP)));
        assertEquals(new StopEvent.GroupStop(4, SIGTSTP), WaitStatusDecoder.decode(4, stopped(SIGTSTP, Ptrace.EVENT_STOP)));
        assertEquals(new StopEvent.Interrupted(4), WaitStatusDecoder.decode(4, stopped(SIGTRAP, Ptrace.EVENT_STOP)));
    }

    @Test
    void signalAndSyscallStops() {
        assertEquals(new StopEvent.Signal(5, SIGINT), WaitStatusDecoder.decode(5, stopped(SIGINT, 0)));
        assertEquals(new StopEvent.Signal(5, SIGTRAP), WaitStatusDecoder.decode(5, stopped(SIGTRAP, 0)));
        assertEquals(new StopEvent.SyscallStop(5), WaitStatusDecoder.decode(5, stopped(SIGTRAP | 0x80, 0)));
    }
}
