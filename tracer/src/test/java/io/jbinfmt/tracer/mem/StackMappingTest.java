package io.jbinfmt.tracer.mem;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finding the mapping that holds a stack pointer, in /proc/PID/maps text and in a live process. */
class StackMappingTest {
    static final String MAPS = """
            55d0c0a00000-55d0c0a21000 r--p 00000000 fe:01 1234   /usr/bin/sh
            7f1c2a000000-7f1c2a009000 rw-s 00000000 00:01 99     /dev/zero (deleted)
            7f1c2a009000-7f1c2a012000 rw-p 00000000 00:00 0
            7ffd4e100000-7ffd4e121000 rw-p 00000000 00:00 0      [stack]
            ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]
            """;

    @Test
    void theMappingThatHoldsTheAddress() {
        assertEquals(0x7f1c2a009000L, StackMapping.startOf(MAPS, 0x7f1c2a011ff0L), "a posix_spawn-like stack");
        assertEquals(0x7ffd4e100000L, StackMapping.startOf(MAPS, 0x7ffd4e100000L), "its first byte");
        assertEquals(0xffffffffff600000L, StackMapping.startOf(MAPS, 0xffffffffff600010L), "unsigned addresses");
        assertEquals(-1, StackMapping.startOf(MAPS, 0x7f1c2a012000L), "the end is not inside");
        assertEquals(-1, StackMapping.startOf("", 5));
    }

    @Test
    void aLiveProcesssOwnStack() {
        long start = StackMapping.startOf((int) ProcessHandle.current().pid(), addressOfSomethingMapped());
        assertTrue(start > 0, "found");
    }

    private static long addressOfSomethingMapped() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            return arena.allocate(8).address();
        }
    }
}
