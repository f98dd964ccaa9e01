package io.jbinfmt.tracer.mem;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding the mapping that holds a stack pointer, in /proc/PID/maps text, and whether a block below the stack
 * pointer stays inside it, in a real child process whose maps the test reads itself.
 */
class StackMappingTest {
    static final String MAPS = """
            55d0c0a00000-55d0c0a21000 r--p 00000000 fe:01 1234   /usr/bin/sh
            7f1c2a000000-7f1c2a009000 rw-s 00000000 00:01 99     /dev/zero (deleted)
            7f1c2a009000-7f1c2a012000 rw-p 00000000 00:00 0
            7ffd4e100000-7ffd4e121000 rw-p 00000000 00:00 0      [stack]
            ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0  [vsyscall]
            """;

    @Test
    void anAddressInsideAMappingGivesThatMappingsStart() {
        assertEquals(0x7f1c2a009000L, StackMapping.startOf(MAPS, 0x7f1c2a011ff0L), "a posix_spawn-like stack");
        assertEquals(0x55d0c0a00000L, StackMapping.startOf(MAPS, 0x55d0c0a20fffL), "the first line's last byte");
    }

    @Test
    void aMappingsFirstByteIsInsideAndItsEndIsNot() {
        assertEquals(0x7ffd4e100000L, StackMapping.startOf(MAPS, 0x7ffd4e100000L), "its first byte");
        assertEquals(-1, StackMapping.startOf(MAPS, 0x7f1c2a012000L), "the end of the anonymous mapping, a gap");
        assertEquals(0x7f1c2a009000L, StackMapping.startOf(MAPS, 0x7f1c2a009000L),
                "the end of the /dev/zero mapping is the next one's start, not its own");
    }

    @Test
    void addressesAboveTheSignedRangeCompareUnsigned() {
        assertEquals(0xffffffffff600000L, StackMapping.startOf(MAPS, 0xffffffffff600010L), "the vsyscall page");
        assertEquals(-1, StackMapping.startOf(MAPS, 0xffffffffff601000L), "past the last mapping");
    }

    @Test
    void anAddressInAGapOrInEmptyOrMalformedMapsIsNotFound() {
        assertEquals(-1, StackMapping.startOf(MAPS, 0x7f1c2a012000L + 0x1000), "between two mappings");
        assertEquals(-1, StackMapping.startOf(MAPS, 0x1000), "below the first mapping");
        assertEquals(-1, StackMapping.startOf("", 5), "no maps");
        assertEquals(-1, StackMapping.startOf("garbage without a range\n", 5), "no range on the line");
        assertEquals(0x1000, StackMapping.startOf("1000-2000 rw-p 0 0:0 0", 0x1fff), "a last line without a newline");
    }

    // A real process, stopped in sleep(1): its [stack] mapping and whatever lies around it are the kernel's.
    private static Process child;
    private static List<long[]> mappings;
    private static long stackStart;
    private static long stackEnd;

    @BeforeAll
    static void startAChildAndReadItsMaps() throws Exception {
        child = new ProcessBuilder("sleep", "600").start();
        String maps = Files.readString(Path.of("/proc/" + child.pid() + "/maps"), StandardCharsets.ISO_8859_1);
        mappings = new ArrayList<>();
        long[] stack = null;
        for (String line : maps.lines().toList()) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            long[] m = {Long.parseUnsignedLong(range[0], 16), Long.parseUnsignedLong(range[1], 16)};
            mappings.add(m);
            if (line.endsWith("[stack]")) {
                stack = m;
            }
        }
        assertNotNull(stack, "the child has a [stack] mapping:\n" + maps);
        stackStart = stack[0];
        stackEnd = stack[1];
        assertTrue(stackEnd - stackStart >= 4 * 4096, "a main thread's stack is at least 16 KiB:\n" + maps);
    }

    @AfterAll
    static void endTheChild() throws Exception {
        child.destroyForcibly().waitFor();
    }

    private static int pid() {
        return (int) child.pid();
    }

    /** A stack pointer near the top of the child's stack, as a thread about to exec would have. */
    private static long sp() {
        return stackEnd - 256;
    }

    @Test
    void theChildsStackPointerLiesInItsStackMapping() {
        assertEquals(stackStart, StackMapping.startOf(pid(), sp()));
        assertEquals(stackStart, StackMapping.startOf(pid(), stackStart), "the stack's lowest byte");
    }

    @Test
    void aBlockReachingDownToTheStackStartIsHeld() {
        long base = stackStart;
        int size = (int) (sp() - base);
        assertTrue(size > 4096, "large enough to be checked against the maps: " + size);
        assertTrue(StackMapping.holds(pid(), sp(), base, size));
        assertTrue(StackMapping.holds(pid(), sp(), stackStart + 16, size - 16), "a block above the start");
    }

    @Test
    void aBlockCrossingBelowTheStackStartIsNotHeld() {
        long base = stackStart - 16;
        assertFalse(StackMapping.holds(pid(), sp(), base, (int) (sp() - base)));
    }

    @Test
    void aBlockInTheUnmappedGapBelowTheStackIsNotHeld() {
        long below = highestEndAtOrBelow(stackStart);
        assertTrue(below < stackStart - 2 * 4096, "the child has an unmapped gap below its stack");
        long base = stackStart - 2 * 4096;
        assertEquals(-1, StackMapping.startOf(pid(), base), "the gap is unmapped");
        assertFalse(StackMapping.holds(pid(), sp(), base, 2 * 4096), "a block wholly in the gap, ending at the start");
        assertFalse(StackMapping.holds(pid(), sp(), base, (int) (sp() - base)), "a block from the gap up to sp");
    }

    @Test
    void aBlockOfAPageOrLessIsHeldWithoutReadingTheMapsEvenAcrossTheStart() {
        long base = stackStart - 16;
        assertTrue(StackMapping.holds(pid(), stackStart + 4096 - 16, base, 4096), "4096 bytes go unchecked");
        assertFalse(StackMapping.holds(pid(), stackStart + 4096 - 15, base, 4097), "4097 bytes are checked");
    }

    @Test
    void aWritableNeighbourRightBelowAMappingIsNotPartOfIt() {
        // posix_spawn's case: its small stack may sit right on top of another mapping of the parent's
        long[] upper = null;
        long[] lower = null;
        for (int i = 1; i < mappings.size() && upper == null; i++) {
            if (mappings.get(i - 1)[1] == mappings.get(i)[0] && mappings.get(i)[1] - mappings.get(i)[0] >= 4096) {
                lower = mappings.get(i - 1);
                upper = mappings.get(i);
            }
        }
        assertNotNull(upper, "the child has two adjacent mappings (ld.so's segments are)");
        long sp = upper[1] - 16;
        assertEquals(upper[0], StackMapping.startOf(pid(), sp));
        assertEquals(lower[0], StackMapping.startOf(pid(), upper[0] - 1), "the byte below is the neighbour's");
        assertTrue(StackMapping.holds(pid(), sp, upper[0], (int) (sp - upper[0])), "down to the start");
        assertFalse(StackMapping.holds(pid(), sp, upper[0] - 8, (int) (sp - upper[0]) + 8), "into the neighbour");
    }

    @Test
    void aProcessThatIsGoneHasNoMappingToTell() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertEquals(0, gone.waitFor());
        assertEquals(-1, StackMapping.startOf((int) gone.pid(), sp()));
        assertFalse(StackMapping.holds((int) gone.pid(), sp(), sp() - 65536, 65536),
                "a block nothing can be told of is not held");
    }

    @Test
    void aStackPointerInUnmappedMemoryHoldsNoBlock() {
        long gap = highestEndAtOrBelow(stackStart); // the end of the mapping below the stack: the gap starts there
        assertFalse(StackMapping.holds(pid(), gap + 8192, gap, 8192), "sp in the gap below the stack");
    }

    private static long highestEndAtOrBelow(long address) {
        long best = 0;
        for (long[] m : mappings) {
            if (Long.compareUnsigned(m[1], address) <= 0 && Long.compareUnsigned(m[1], best) > 0) {
                best = m[1];
            }
        }
        return best;
    }
}
