package io.jbinfmt.tracer;

/**
 * The host refused what jbinfmt is built on (ptrace, a seccomp filter, no_new_privs), so no command can run under
 * it here; the message is one line naming what was refused, the likely cause and what to change.
 */
public final class HostRefusedException extends SpawnException {
    /** What the host refused. */
    public enum Refused {
        /** PTRACE_SEIZE of our own child. */
        PTRACE,
        /** prctl(PR_SET_NO_NEW_PRIVS) in the child, which an unprivileged seccomp filter needs. */
        NO_NEW_PRIVS,
        /** seccomp(SECCOMP_SET_MODE_FILTER) in the child. */
        SECCOMP,
        /** The kernel engine: unshare(CLONE_NEWUSER) in the child (explained in the kernel engine's refusals). */
        USER_NAMESPACE,
        /** The kernel engine: writing the new user namespace's uid_map, gid_map or setgroups. */
        ID_MAP,
        /** The kernel engine: mounting binfmt_misc in the new namespaces, or registering there. */
        BINFMT_MISC,
        /** The kernel engine without a cgroup: clone(CLONE_NEWPID), the PID namespace the tree then lives in. */
        PID_NAMESPACE,
        /** The kernel engine without a cgroup: mounting that PID namespace's own /proc. */
        PROC_MOUNT
    }

    private final Refused refused;
    private final int callErrno;

    public HostRefusedException(Refused refused, int callErrno, String message) {
        super(message, 0);
        this.refused = refused;
        this.callErrno = callErrno;
    }

    /** What was refused. */
    public Refused refused() {
        return refused;
    }

    /** The errno the refused call got ({@link #errno()} stays 0: the command itself was never exec'd). */
    public int callErrno() {
        return callErrno;
    }
}
