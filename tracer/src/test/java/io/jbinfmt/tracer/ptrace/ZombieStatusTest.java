package io.jbinfmt.tracer.ptrace;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ZombieStatusTest {
    private static byte[] stat(String name, String state, int exitCode) {
        StringBuilder b = new StringBuilder("4242 (" + name + ") " + state);
        for (int field = 4; field <= 51; field++) {
            b.append(' ').append(field);
        }
        return b.append(' ').append(exitCode).append('\n').toString().getBytes();
    }

    @Test
    void aZombieSaysItsWaitStatus() {
        assertEquals(9 << 8, ZombieStatus.parse(stat("sh", "Z", 9 << 8)));
    }

    @Test
    void aNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        assertEquals(0x8b, ZombieStatus.parse(stat("a) b (c", "Z", 0x8b)));
    }

    @Test
    void aLiveProcessOrAShortLineSaysNothing() {
        assertEquals(-1, ZombieStatus.parse(stat("sh", "S", 0)));
        assertEquals(-1, ZombieStatus.parse("4242 (sh) Z 1 2 3".getBytes()));
        assertEquals(-1, ZombieStatus.parse(new byte[0]));
    }
}
