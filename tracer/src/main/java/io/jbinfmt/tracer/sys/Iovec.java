package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.iovec;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/** struct iovec: one (base, length) pair naming a piece of memory. */
public final class Iovec {
    /** The struct's layout, for allocating arrays of it. */
    public static final MemoryLayout LAYOUT = iovec.layout();

    private Iovec() {
    }

    public static MemorySegment allocate(SegmentAllocator allocator) {
        return iovec.allocate(allocator);
    }

    /** Points {@code iov} at all of {@code target}. */
    public static void set(MemorySegment iov, MemorySegment target) {
        iovec.iov_base(iov, target);
        iovec.iov_len(iov, target.byteSize());
    }

    /** Points {@code iov} at {@code length} bytes at the (possibly foreign) address {@code address}. */
    public static void set(MemorySegment iov, long address, long length) {
        iovec.iov_base(iov, MemorySegment.ofAddress(address));
        iovec.iov_len(iov, length);
    }

    public static long length(MemorySegment iov) {
        return iovec.iov_len(iov);
    }
}
