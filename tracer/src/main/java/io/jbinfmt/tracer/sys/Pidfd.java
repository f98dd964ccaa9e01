package io.jbinfmt.tracer.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** pidfd_open(2) and pidfd_getfd(2): a descriptor for a process, and a copy of one of its descriptors. */
public final class Pidfd {
    private Pidfd() {
    }

    /** A pidfd for process {@code pid} (close-on-exec). */
    public static int open(int pid) throws ErrnoException {
        return (int) Syscall.call("pidfd_open(" + pid + ")", Syscall.PIDFD_OPEN, pid, 0, 0, 0);
    }

    /**
     * A copy, in this process, of descriptor {@code targetFd} of the process {@code pidfd} refers to
     * (close-on-exec); needs ptrace access to it, which a tracer has.
     */
    public static int getfd(int pidfd, int targetFd) throws ErrnoException {
        return (int) Syscall.call("pidfd_getfd(" + targetFd + ")", Syscall.PIDFD_GETFD, pidfd, targetFd, 0, 0);
    }

    /** PIDFD_GET_INFO: _IOWR(0xFF, 11, struct pidfd_info), with the 64-byte first version of the struct. */
    private static final long GET_INFO = (3L << 30) | (64L << 16) | (0xFFL << 8) | 11;
    private static final long INFO_EXIT = 1L << 3;
    /** struct pidfd_info: {@code __u64 mask} at 0, {@code __s32 exit_code} (a wait status) at 60. */
    private static final long INFO_MASK = 0;
    private static final long INFO_EXIT_CODE = 60;

    /**
     * The wait status of the process {@code pidfd} refers to, once it has ended, even after its parent reaped it
     * (PIDFD_INFO_EXIT, Linux 6.15+); -1 when the kernel cannot say (older, or not ended).
     *
     * @param info 64 bytes of scratch
     */
    public static int exitStatus(int pidfd, MemorySegment info) {
        info.fill((byte) 0);
        info.set(ValueLayout.JAVA_LONG, INFO_MASK, INFO_EXIT);
        long r = Syscall.raw(Syscall.IOCTL, pidfd, GET_INFO, info.address(), 0);
        if (r < 0 || (info.get(ValueLayout.JAVA_LONG, INFO_MASK) & INFO_EXIT) == 0) {
            return -1;
        }
        return info.get(ValueLayout.JAVA_INT, INFO_EXIT_CODE);
    }
}
