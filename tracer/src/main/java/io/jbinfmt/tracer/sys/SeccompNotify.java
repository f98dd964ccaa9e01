package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;
import io.jbinfmt.bindings.libc.seccomp_notif_resp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A seccomp user-notification listener (seccomp(2), SECCOMP_RET_USER_NOTIF): receive a notification, check that
 * it is still pending, answer it with "continue" or an errno. One instance per listener; its buffers are reused,
 * so it is used by one thread (the session's tracer thread).
 */
public final class SeccompNotify implements AutoCloseable {
    /** The filter action that hands a syscall to the listener. */
    public static final int RET_USER_NOTIF = Libc.SECCOMP_RET_USER_NOTIF();
    /** seccomp(SET_MODE_FILTER) flag: the call returns a listener descriptor for the new filter. */
    public static final int FILTER_FLAG_NEW_LISTENER = (int) Libc.SECCOMP_FILTER_FLAG_NEW_LISTENER();
    /**
     * seccomp(SET_MODE_FILTER) flag: once received, a notification's caller waits killably only, so a signal can
     * no longer turn a rewrite's restarted exec into EINTR (see docs/notify-engine.md).
     */
    public static final int FILTER_FLAG_WAIT_KILLABLE_RECV = (int) Libc.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV();

    /*
     * struct seccomp_notif { u64 id; u32 pid; u32 flags; struct seccomp_data { int nr; u32 arch; u64 ip;
     * u64 args[6]; } data; } (linux/seccomp.h, a fixed kernel ABI; SeccompNotifyTest checks these against the
     * generated layout). Not read from the generated classes: seccomp_data's initializer builds a VarHandle for
     * args[], whose lambda forms took tens of ms on the notify engine's first exec.
     */
    static final long NOTIF_SIZE = 80;
    static final long NOTIF_ID = 0;
    static final long NOTIF_PID = 8;
    static final long NOTIF_NR = 16;
    static final long NOTIF_ARCH = 20;
    static final long NOTIF_ARGS = 32;

    private static final long RECV = Libc.SECCOMP_IOCTL_NOTIF_RECV();
    private static final long SEND = Libc.SECCOMP_IOCTL_NOTIF_SEND();
    private static final long ID_VALID = Libc.SECCOMP_IOCTL_NOTIF_ID_VALID();
    private static final int FLAG_CONTINUE = (int) Libc.SECCOMP_USER_NOTIF_FLAG_CONTINUE();
    /*
     * SECCOMP_IOCTL_NOTIF_ADDFD and its struct seccomp_notif_addfd {u64 id; u32 flags, srcfd, newfd, newfd_flags},
     * from <linux/seccomp.h> (Linux 5.9+), declared here by hand: the checked-in bindings lack them and jextract,
     * which would regenerate them, is not at hand. _IOW('!', 3, 24 bytes); the layout is the same on every ABI.
     */
    private static final long ADDFD = 0x40182103L;
    private static final long ADDFD_SIZE = 24;

    /**
     * One pending syscall.
     *
     * @param id   the notification's cookie, valid until it is answered or the caller is interrupted
     * @param pid  the calling thread's tid, in our pid namespace
     * @param nr   the syscall number (as the ABI of {@code arch} numbers it)
     * @param arch the AUDIT_ARCH_* of the call's ABI
     * @param args its six arguments
     */
    public record Notification(long id, int pid, int nr, int arch, long[] args) {
    }

    private final int fd;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment notif = arena.allocate(NOTIF_SIZE, 8);
    private final MemorySegment resp = arena.allocate(seccomp_notif_resp.layout());
    private final MemorySegment idBuf = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment addfd = arena.allocate(ADDFD_SIZE, 8);

    /** Takes over listener descriptor {@code fd} (closed by {@link #close}). */
    public SeccompNotify(int fd) {
        this.fd = fd;
    }

    /** The listener descriptor, for polling. */
    public int fd() {
        return fd;
    }

    /**
     * Receives the next notification (blocks when none is pending). Returns null when the caller went away
     * between poll and receive (ENOENT: it was interrupted or killed).
     */
    public Notification receive() throws ErrnoException {
        notif.fill((byte) 0); // the kernel refuses a buffer that is not zeroed
        long r = Syscall.raw(Syscall.IOCTL, fd, RECV, notif.address(), 0);
        if (r == -Errno.ENOENT.code) {
            return null;
        }
        if (r < 0) {
            throw new ErrnoException("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", (int) -r);
        }
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = notif.get(ValueLayout.JAVA_LONG, NOTIF_ARGS + 8L * i);
        }
        return new Notification(notif.get(ValueLayout.JAVA_LONG, NOTIF_ID),
                notif.get(ValueLayout.JAVA_INT, NOTIF_PID), notif.get(ValueLayout.JAVA_INT, NOTIF_NR),
                notif.get(ValueLayout.JAVA_INT, NOTIF_ARCH), args);
    }

    /** Whether notification {@code id} is still pending (its caller still waits for the answer). */
    public boolean valid(long id) {
        idBuf.set(ValueLayout.JAVA_LONG, 0, id);
        return Syscall.raw(Syscall.IOCTL, fd, ID_VALID, idBuf.address(), 0) == 0;
    }

    /** Lets the syscall run as if no filter had stopped it. Returns false when the caller went away (ENOENT). */
    public boolean answerContinue(long id) throws ErrnoException {
        return send(id, 0, FLAG_CONTINUE);
    }

    /** Fails the syscall with {@code errno}. Returns false when the caller went away (ENOENT). */
    public boolean answerError(long id, int errno) throws ErrnoException {
        return send(id, -errno, 0);
    }

    /**
     * Installs a copy of our descriptor {@code fd} in the process of pending notification {@code id}, at its
     * lowest free number, with {@code flags} (O_CLOEXEC) as that descriptor's own; returns that number. The caller
     * still waits: the notification stays pending for its answer.
     */
    public int addFd(long id, int fd, int flags) throws ErrnoException {
        addfd.fill((byte) 0);
        addfd.set(ValueLayout.JAVA_LONG, 0, id);
        addfd.set(ValueLayout.JAVA_INT, 12, fd);          // srcfd; flags (8) and newfd (16) stay 0: any number
        addfd.set(ValueLayout.JAVA_INT, 20, flags);       // newfd_flags
        long r = Syscall.raw(Syscall.IOCTL, this.fd, ADDFD, addfd.address(), 0);
        if (r < 0) {
            throw new ErrnoException("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)", (int) -r);
        }
        return (int) r;
    }

    private boolean send(long id, int error, int flags) throws ErrnoException {
        resp.fill((byte) 0);
        seccomp_notif_resp.id(resp, id);
        seccomp_notif_resp.error(resp, error);
        seccomp_notif_resp.flags(resp, flags);
        long r = Syscall.raw(Syscall.IOCTL, fd, SEND, resp.address(), 0);
        if (r == -Errno.ENOENT.code) {
            return false;
        }
        if (r < 0) {
            throw new ErrnoException("ioctl(SECCOMP_IOCTL_NOTIF_SEND)", (int) -r);
        }
        return true;
    }

    @Override
    public void close() {
        FileCalls.close(fd);
        arena.close();
    }
}
