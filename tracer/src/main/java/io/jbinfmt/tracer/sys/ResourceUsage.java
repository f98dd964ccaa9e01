package io.jbinfmt.tracer.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@code struct rusage} as wait4(2) fills it, read for CPU times and peak RSS. The layout is written out here
 * (the bindings' headers have no rusage): on every 64-bit Linux ABI it starts with two {@code struct timeval} of
 * two longs each, then {@code ru_maxrss} (KiB), 144 bytes in all.
 */
public final class ResourceUsage {
    /** sizeof(struct rusage) on LP64 Linux. */
    public static final long SIZE = 144;
    private static final long UTIME = 0;
    private static final long STIME = 16;
    private static final long MAXRSS = 32;

    private ResourceUsage() {
    }

    /** Room for one. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(SIZE, 8);
    }

    /** ru_utime in microseconds. */
    public static long userMicros(MemorySegment r) {
        return micros(r, UTIME);
    }

    /** ru_stime in microseconds. */
    public static long sysMicros(MemorySegment r) {
        return micros(r, STIME);
    }

    /** ru_maxrss: KiB. */
    public static long maxRssKb(MemorySegment r) {
        return r.get(ValueLayout.JAVA_LONG, MAXRSS);
    }

    private static long micros(MemorySegment r, long at) {
        return r.get(ValueLayout.JAVA_LONG, at) * 1_000_000 + r.get(ValueLayout.JAVA_LONG, at + 8);
    }
}
