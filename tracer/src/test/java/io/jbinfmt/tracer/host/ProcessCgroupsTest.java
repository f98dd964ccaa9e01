package io.jbinfmt.tracer.host;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Reading cpu.stat and cgroup.events as the kernel writes them, without decoding them as text. */
class ProcessCgroupsTest {
    private static MemorySegment bytes(Arena arena, String text) {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        MemorySegment s = arena.allocate(b.length + 16);
        s.fill((byte) '9'); // past the end: must not be read
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 0, b.length);
        return s;
    }

    @Test
    void cpuStatGivesUserAndSystemWhateverElseItHolds() {
        try (Arena a = Arena.ofConfined()) {
            String stat = "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0\n"
                    + "core_sched.force_idle_usec 0\n";
            assertArrayEquals(new long[] {1_000_000, 234_567}, ProcessCgroups.cpuMicros(bytes(a, stat), stat.length()));
            String noSystem = "usage_usec 5\nuser_usec 5\n";
            assertNull(ProcessCgroups.cpuMicros(bytes(a, noSystem), noSystem.length()));
            String cut = "usage_usec 5\nuser_usec 5\nsystem_usec 7";
            assertArrayEquals(new long[] {5, 7}, ProcessCgroups.cpuMicros(bytes(a, cut), cut.length()));
            assertNull(ProcessCgroups.cpuMicros(bytes(a, cut), 0));
        }
    }

    @Test
    void eventsSayWhetherAnythingIsLeftInTheGroup() {
        try (Arena a = Arena.ofConfined()) {
            String empty = "populated 0\nfrozen 0\n";
            assertEquals(0, ProcessCgroups.populated(bytes(a, empty), empty.length()));
            String busy = "populated 1\nfrozen 0\n";
            assertEquals(1, ProcessCgroups.populated(bytes(a, busy), busy.length()));
            String other = "frozen 0\n";
            assertEquals(-1, ProcessCgroups.populated(bytes(a, other), other.length()));
        }
    }
}
