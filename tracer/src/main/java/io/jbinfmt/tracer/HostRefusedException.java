package io.jbinfmt.tracer;

import io.jbinfmt.tracer.process.HostRefusal;

/**
 * The host refused what jbinfmt is built on (ptrace, a seccomp filter, no_new_privs), so no command can run under
 * it here; the message is one line naming what was refused, the likely cause and what to change.
 */
public final class HostRefusedException extends SpawnException {
    private final HostRefusal.Refused refused;
    private final int callErrno;

    public HostRefusedException(HostRefusal.Refused refused, int callErrno, String message) {
        super(message, 0);
        this.refused = refused;
        this.callErrno = callErrno;
    }

    /** What was refused. */
    public HostRefusal.Refused refused() {
        return refused;
    }

    /** The errno the refused call got ({@link #errno()} stays 0: the command itself was never exec'd). */
    public int callErrno() {
        return callErrno;
    }
}
