package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** process_vm_readv/writev: copy bytes between our memory and another process's, one range each way. */
public final class ProcessMemory {
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class ReadvCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.process_vm_readv$address(), Libc.process_vm_readv$descriptor());
    }
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class WritevCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.process_vm_writev$address(), Libc.process_vm_writev$descriptor());
    }

    private ProcessMemory() {
    }

    /**
     * Reads up to {@code local.byteSize()} bytes at {@code remoteAddress} of {@code pid} into {@code local};
     * {@code iovs} holds two struct iovec. Returns the bytes read, which is short when the range crosses
     * into unmapped memory.
     */
    public static long read(int pid, long remoteAddress, MemorySegment local, MemorySegment iovs)
            throws ErrnoException {
        return transfer(ReadvCall.HANDLE, "process_vm_readv", pid, remoteAddress, local, iovs);
    }

    /** Writes {@code local} to {@code remoteAddress} of {@code pid}; returns the bytes written. */
    public static long write(int pid, long remoteAddress, MemorySegment local, MemorySegment iovs)
            throws ErrnoException {
        return transfer(WritevCall.HANDLE, "process_vm_writev", pid, remoteAddress, local, iovs);
    }

    private static long transfer(MethodHandle h, String name, int pid, long remote, MemorySegment local,
                                 MemorySegment iovs) throws ErrnoException {
        MemorySegment localIov = iovs.asSlice(0, Iovec.LAYOUT.byteSize());
        MemorySegment remoteIov = iovs.asSlice(Iovec.LAYOUT.byteSize(), Iovec.LAYOUT.byteSize());
        Iovec.set(localIov, local);
        Iovec.set(remoteIov, remote, local.byteSize());
        MemorySegment errno = CapturedErrno.buffer();
        long r;
        try {
            r = (long) h.invokeExact(errno, pid, localIov, 1L, remoteIov, 1L, 0L);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException(name + "(" + pid + ", 0x" + Long.toHexString(remote) + ")",
                    CapturedErrno.errno(errno));
        }
        return r;
    }

    /** Links every native call of this class now (see {@code Warmup}); otherwise each links on first use. */
    public static void linkAll() {
        Objects.requireNonNull(ReadvCall.HANDLE);
        Objects.requireNonNull(WritevCall.HANDLE);
    }
}
