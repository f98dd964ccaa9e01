package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** process_vm_readv/writev: copy bytes between our memory and another process's, one range each way. */
public final class ProcessMemory {
    private static final MethodHandle READV =
            CapturedErrno.handle(Libc.process_vm_readv$address(), Libc.process_vm_readv$descriptor());
    private static final MethodHandle WRITEV =
            CapturedErrno.handle(Libc.process_vm_writev$address(), Libc.process_vm_writev$descriptor());

    private ProcessMemory() {
    }

    /**
     * Reads up to {@code local.byteSize()} bytes at {@code remoteAddress} of {@code pid} into {@code local};
     * {@code iovs} holds two struct iovec. Returns the bytes read, which is short when the range crosses
     * into unmapped memory.
     */
    public static long read(int pid, long remoteAddress, MemorySegment local, MemorySegment iovs)
            throws ErrnoException {
        return transfer(READV, "process_vm_readv", pid, remoteAddress, local, iovs);
    }

    /** Writes {@code local} to {@code remoteAddress} of {@code pid}; returns the bytes written. */
    public static long write(int pid, long remoteAddress, MemorySegment local, MemorySegment iovs)
            throws ErrnoException {
        return transfer(WRITEV, "process_vm_writev", pid, remoteAddress, local, iovs);
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
}
