package io.jbinfmt.tracer.sys;

/**
 * The clone and mount flags the kernel engine needs (uapi linux/sched.h and linux/mount.h; the generated
 * bindings do not include those headers). The same on every Linux architecture.
 */
public final class NamespaceFlags {
    /** CLONE_NEWUSER: a new user namespace, whose root the caller becomes. */
    public static final long CLONE_NEWUSER = 0x10000000L;
    /** CLONE_NEWNS: a new mount namespace, a copy of the caller's mounts. */
    public static final long CLONE_NEWNS = 0x00020000L;

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_REMOUNT = 32;
    public static final long MS_BIND = 4096;

    /** prctl option: the signal this process gets when the thread that created it ends (linux/prctl.h). */
    public static final long PR_SET_PDEATHSIG = 1;

    private NamespaceFlags() {
    }
}
