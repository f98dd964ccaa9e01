package io.jbinfmt.tracer.sys;

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
}
