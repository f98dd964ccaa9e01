package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** process_vm_readv/writev: copy bytes between our memory and another process's, one range each way. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    /**
     * Reads up to {@code local.byteSize()} bytes at {@code remoteAddress} of {@code pid} into {@code local};
     * {@code iovs} holds two struct iovec. Returns the bytes read, which is short when the range crosses
     * into unmapped memory.
     */
    public static long read(int pid, long remoteAddress, MemorySegment local, MemorySegment iovs)
            throws ErrnoException {
        return transfer(Syscall.PROCESS_VM_READV, "process_vm_readv", pid, remoteAddress, local, iovs);
    }

    /** Writes {@code local} to {@code remoteAddress} of {@code pid}; returns the bytes written. */
    public static long write(int pid, long remoteAddress, MemorySegment local, MemorySegment iovs)
            throws ErrnoException {
        return transfer(Syscall.PROCESS_VM_WRITEV, "process_vm_writev", pid, remoteAddress, local, iovs);
    }

    private static long transfer(long nr, String name, int pid, long remote, MemorySegment local,
                                 MemorySegment iovs) throws ErrnoException {
        MemorySegment localIov = iovs.asSlice(0, Iovec.LAYOUT.byteSize());
        MemorySegment remoteIov = iovs.asSlice(Iovec.LAYOUT.byteSize(), Iovec.LAYOUT.byteSize());
        Iovec.set(localIov, local);
        Iovec.set(remoteIov, remote, local.byteSize());
        long r = Syscall.raw(nr, pid, localIov.address(), 1, remoteIov.address(), 1, 0);
        if (r < 0) {
            throw new ErrnoException(name + "(" + pid + ", 0x" + Long.toHexString(remote) + ")", (int) -r);
        }
        return r;
    }

}
