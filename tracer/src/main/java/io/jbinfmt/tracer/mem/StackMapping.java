package io.jbinfmt.tracer.mem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How far below a tracee's stack pointer the tracer may write: to the start of the mapping that holds the stack
 * pointer, and no further. A posix_spawn child runs on a small stack mapping (36 KiB in glibc) whose neighbour
 * below can be another writable mapping of its parent: a write that runs past the stack's start would land there
 * and corrupt it silently, where an unmapped neighbour would at least fail with EFAULT.
 */
public final class StackMapping {
    /**
     * Blocks up to this size go below the stack pointer unchecked: every stack a process execs from has that much
     * room (glibc's posix_spawn stack is at least 32 KiB, nearly unused at its exec), and the exec path of
     * ordinary commands stays free of reading /proc/TID/maps.
     */
    private static final int SMALL_BLOCK = 4096;

    private StackMapping() {
    }

    /**
     * Whether {@code size} bytes may be written at {@code base}, below tracee {@code tid}'s stack pointer {@code sp}.
     * Where the mapping cannot be told (no mapping holds {@code sp}, or the maps cannot be read) they may not: the
     * caller then maps pages of the tracee's own.
     */
    public static boolean holds(int tid, long sp, long base, int size) {
        if (size <= SMALL_BLOCK) {
            return true;
        }
        long start = startOf(tid, sp);
        return start >= 0 && base >= start;
    }

    /** The start of tracee {@code tid}'s mapping that contains {@code sp}, or -1 when it cannot be told. */
    public static long startOf(int tid, long sp) {
        try {
            return startOf(Files.readString(Path.of("/proc/" + tid + "/maps"), StandardCharsets.ISO_8859_1), sp);
        } catch (IOException e) {
            return -1;
        }
    }

    /** The start of the mapping in {@code maps} (the text of /proc/PID/maps) that contains {@code address}, or -1. */
    static long startOf(String maps, long address) {
        int line = 0;
        while (line < maps.length()) {
            int dash = maps.indexOf('-', line);
            int space = maps.indexOf(' ', line);
            if (dash < 0 || space < 0 || dash > space) {
                return -1;
            }
            long start = Long.parseUnsignedLong(maps, line, dash, 16);
            long end = Long.parseUnsignedLong(maps, dash + 1, space, 16);
            if (Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0) {
                return start;
            }
            int next = maps.indexOf('\n', space);
            if (next < 0) {
                return -1;
            }
            line = next + 1;
        }
        return -1;
    }
}
