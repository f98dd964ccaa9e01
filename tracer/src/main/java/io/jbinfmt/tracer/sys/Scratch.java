package io.jbinfmt.tracer.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * Native memory for the arguments and results of system calls, one block per thread, used as a stack: a call
 * {@link #enter}s, allocates, and gives it all back when it closes (try-with-resources). An exec decision makes
 * some twenty file calls; a confined arena for each (a session, a malloc, zeroing, a free) was the largest item of
 * the tracer thread's own CPU time. Not zeroed: every call writes what it reads back. A request past the block
 * (a huge argv block) gets an arena of its own, closed with its frame.
 */
public final class Scratch implements AutoCloseable {
    /** PATH_MAX twice over and a /proc file's 8 KiB, with room to spare. */
    private static final long SIZE = 32 * 1024;
    private static final long ALIGN = 16;
    private static final ThreadLocal<Scratch> OF_THREAD = ThreadLocal.withInitial(Scratch::new);

    private final MemorySegment block = Arena.ofAuto().allocate(SIZE, ALIGN);
    private long used;
    private long[] marks = new long[8];
    private int depth;
    /** Arenas for requests past the block, each with the depth of the frame that closes it. */
    private final ArrayList<Arena> overflow = new ArrayList<>();
    private final ArrayList<Integer> overflowDepth = new ArrayList<>();

    private Scratch() {
    }

    /** This thread's scratch, with a new frame: what is allocated from now on is given back by {@link #close}. */
    public static Scratch enter() {
        Scratch s = OF_THREAD.get();
        if (s.depth == s.marks.length) {
            s.marks = Arrays.copyOf(s.marks, s.depth * 2);
        }
        s.marks[s.depth++] = s.used;
        return s;
    }

    /** {@code size} bytes, 16-byte aligned, valid until this frame closes; their contents are undefined. */
    public MemorySegment allocate(long size) {
        long at = (used + ALIGN - 1) & -ALIGN;
        if (size > SIZE - at) {
            Arena own = Arena.ofConfined();
            overflow.add(own);
            overflowDepth.add(depth);
            return own.allocate(Math.max(size, 1), ALIGN);
        }
        used = at + size;
        return block.asSlice(at, size);
    }

    /** A NUL-terminated copy of {@code bytes}. */
    public MemorySegment cString(byte[] bytes) {
        MemorySegment s = allocate(bytes.length + 1L);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        s.set(ValueLayout.JAVA_BYTE, bytes.length, (byte) 0);
        return s;
    }

    /** A copy of {@code bytes}. */
    public MemorySegment copyOf(byte[] bytes) {
        MemorySegment s = allocate(bytes.length);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    /** Gives back what this frame allocated. */
    @Override
    public void close() {
        while (!overflow.isEmpty() && overflowDepth.getLast() == depth) {
            overflowDepth.removeLast();
            overflow.removeLast().close();
        }
        used = marks[--depth];
    }
}
