package io.jbinfmt.tracer.sys;

/**
 * The clone and mount flags (and the prctl option) the kernel engine needs (uapi linux/sched.h and linux/mount.h; the generated
 * bindings do not include those headers). The same on every Linux architecture.
 */
public final class NamespaceFlags {
    /** CLONE_NEWUSER: a new user namespace, whose root the caller becomes. */
    public static final long CLONE_NEWUSER = 0x10000000L;
    /** CLONE_NEWNS: a new mount namespace, a copy of the caller's mounts. */
    public static final long CLONE_NEWNS = 0x00020000L;
    /** CLONE_NEWPID: the new process is pid 1 of a new PID namespace, and every process it starts lives there. */
    public static final long CLONE_NEWPID = 0x20000000L;
    /** CLONE_PARENT: the new process is the caller's sibling, a child of the caller's parent. */
    public static final long CLONE_PARENT = 0x00008000L;

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_REMOUNT = 32;
    public static final long MS_BIND = 4096;

    /** prctl option: set the calling thread's name, as ps and /proc/PID/comm show it (linux/prctl.h). */
    public static final long PR_SET_NAME = 15;

    private NamespaceFlags() {
    }
}
