package io.jbinfmt.tracer.ptrace;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which stop events say that the thread is gone. */
class StopEventTest {
    @Test
    void anExitedOrKilledThreadHasEnded() {
        assertTrue(new StopEvent.Exited(7, 0).ended(), "exited with 0");
        assertTrue(new StopEvent.Exited(7, 3).ended(), "exited with 3");
        assertTrue(new StopEvent.Killed(7, 9, false).ended(), "killed");
        assertTrue(new StopEvent.Killed(7, 11, true).ended(), "killed, core dumped");
    }

    @Test
    void everyStopOfALiveThreadHasNotEnded() {
        List<StopEvent> stops = List.of(new StopEvent.Seccomp(7), new StopEvent.SyscallStop(7),
                new StopEvent.NewChild(7, 1), new StopEvent.Exec(7), new StopEvent.GroupStop(7, 19),
                new StopEvent.Interrupted(7), new StopEvent.Signal(7, 9), new StopEvent.OtherEvent(7, 6));
        for (StopEvent e : stops) {
            assertFalse(e.ended(), e.toString());
        }
        assertEquals(2 + stops.size(), StopEvent.class.getPermittedSubclasses().length,
                "every kind of event is one of the two lists here");
    }
}
