package io.jbinfmt.tracer.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-thread scratch: frames nest, give back what they took, and a request past the block still works. */
class ScratchTest {

    @Test
    void aNestedFrameAllocatesAboveItsCallersAndAClosedFrameIsReused() {
        long outer;
        long inner;
        try (Scratch s = Scratch.enter()) {
            MemorySegment a = s.cString("/proc/1/status".getBytes());
            outer = a.address();
            assertEquals(0, a.address() % 16);
            assertEquals(0, a.get(ValueLayout.JAVA_BYTE, 14));
            try (Scratch t = Scratch.enter()) {
                MemorySegment b = t.allocate(100);
                inner = b.address();
                assertTrue(inner >= outer + 15, "the inner frame must not overlap the outer one's memory");
                b.fill((byte) 7);
            }
            assertArrayEquals("/proc/1/status".getBytes(), a.asSlice(0, 14).toArray(ValueLayout.JAVA_BYTE),
                    "the caller's bytes survive the inner frame");
            try (Scratch t = Scratch.enter()) {
                assertEquals(inner, t.allocate(100).address(), "a closed frame's memory is used again");
            }
        }
        try (Scratch s = Scratch.enter()) {
            assertEquals(outer, s.allocate(1).address());
        }
    }

    @Test
    void aRequestPastTheBlockGetsMemoryOfItsOwnUntilItsFrameCloses() {
        MemorySegment big;
        try (Scratch s = Scratch.enter()) {
            big = s.copyOf(new byte[1 << 20]);
            assertEquals(1 << 20, big.byteSize());
            MemorySegment small = s.allocate(8);
            assertFalse(small.address() >= big.address() && small.address() < big.address() + big.byteSize());
        }
        assertThrows(IllegalStateException.class, () -> big.get(ValueLayout.JAVA_BYTE, 0), "closed with its frame");
    }
}
