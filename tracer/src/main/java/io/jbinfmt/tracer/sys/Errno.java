package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;

/** The errno values the tracer names, tied to the generated constants; anything else prints as a number. */
public enum Errno {
    EPERM(Libc.EPERM()),
    ENOENT(Libc.ENOENT()),
    ESRCH(Libc.ESRCH()),
    EINTR(Libc.EINTR()),
    EIO(Libc.EIO()),
    E2BIG(Libc.E2BIG()),
    ENOEXEC(Libc.ENOEXEC()),
    ECHILD(Libc.ECHILD()),
    EAGAIN(Libc.EAGAIN()),
    ENOMEM(Libc.ENOMEM()),
    EACCES(Libc.EACCES()),
    EFAULT(Libc.EFAULT()),
    ENOTDIR(Libc.ENOTDIR()),
    EISDIR(Libc.EISDIR()),
    EBUSY(Libc.EBUSY()),
    EINVAL(Libc.EINVAL()),
    ENAMETOOLONG(Libc.ENAMETOOLONG()),
    ENOSYS(Libc.ENOSYS()),
    ELOOP(Libc.ELOOP()),
    ETXTBSY(Libc.ETXTBSY()),
    // Not among the generated constants (asm-generic/errno-base.h, the same on x86_64): the kernel engine's
    // refusals (binfmt_misc unknown to the mount, user.max_user_namespaces reached, a read-only mount).
    ENODEV(19),
    ENOSPC(28),
    EROFS(30);

    /** The numeric value on this platform. */
    public final int code;

    Errno(int code) {
        this.code = code;
    }

    /** The symbolic name of {@code errno}, or its number when it is not one of ours. */
    public static String name(int errno) {
        for (Errno e : values()) {
            if (e.code == errno) {
                return e.name();
            }
        }
        return "errno " + errno;
    }

    /** libc's message for {@code errno} ("No such file or directory"). */
    public static String message(int errno) {
        MemorySegment s = Libc.strerror(errno);
        return s.reinterpret(4096).getString(0);
    }

    /** "No such file or directory (ENOENT)". */
    public static String describe(int errno) {
        return message(errno) + " (" + name(errno) + ")";
    }
}
