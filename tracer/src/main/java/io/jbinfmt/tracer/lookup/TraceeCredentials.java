package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.FsCredentials;
import io.jbinfmt.tracer.sys.ProcStatus;
import io.jbinfmt.tracer.sys.ProcessCalls;

import java.io.IOException;

/**
 * Whose credentials an exec's permission checks must use. Run as root, the tracer thread checks a tracee's
 * access with the tracee's own fsuid/fsgid/groups and effective capabilities when they differ from ours; run as
 * anyone else, no tracee can hold other credentials (no_new_privs), so our own checks stand for its.
 */
final class TraceeCredentials {
    private final boolean mayTakeOnCredentials = ProcessCalls.geteuid() == 0;
    /** The tracer thread's own credentials; read once, and only when it may take on others. */
    private FsCredentials ours;
    /** The SigIgn mask read with the last credentials (all ones: not read). */
    private long ignoredSignals = -1;
    /** The SigBlk mask read with the last credentials (all ones: not read). */
    private long blockedSignals = -1;

    /** Ours, to restore after checking with another's (null when we never take on another's). */
    FsCredentials ours() {
        return ours;
    }

    /**
     * The credentials the kernel will check tracee {@code tid}'s exec with, when they differ from the tracer's and
     * the tracer can take them on for its checks; otherwise null (our checks stand for its).
     */
    FsCredentials of(int tid) throws ErrnoException {
        ignoredSignals = -1;
        blockedSignals = -1;
        if (!mayTakeOnCredentials) {
            return null;
        }
        if (ours == null) {
            ours = FsCredentials.ofThisThread();
        }
        // Read every time: the owner of /proc/TID, a cheaper look, is root for any process that is not dumpable
        // (one that changed its ids, or said so), and says nothing of capabilities dropped.
        try {
            boolean capsCount = OwnNamespaces.user(tid);
            ProcStatus status = ProcStatus.read(tid);
            FsCredentials c = status.credentials(capsCount);
            ignoredSignals = status.sigIgn();
            blockedSignals = status.sigBlk();
            return c.sameAs(ours) ? null : c;
        } catch (IOException | RuntimeException e) {
            throw new ErrnoException("credentials of " + tid, Errno.ESRCH.code);
        }
    }

    /**
     * The signals the process of the tracee last given to {@link #of} ignores, as read with its credentials; all
     * ones when they were not read (the tracer does not run as root).
     */
    long ignoredSignals() {
        return ignoredSignals;
    }

    /**
     * The signal mask of the tracee last given to {@link #of}, as read with its credentials; all ones when not read.
     * A thread waiting in its exec's notification cannot change it, so it is its mask until we let it go.
     */
    long blockedSignals() {
        return blockedSignals;
    }
}
