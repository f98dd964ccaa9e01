package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;

import java.util.Arrays;

/**
 * Whether a tracee lives in one of our own namespaces (mnt, pid, user): its /proc/TID/ns/KIND link names the same
 * namespace as ours ("kind:[inode]"), ours read once.
 */
final class OwnNamespaces {
    private static final byte[] MNT = own("mnt");
    private static final byte[] PID = own("pid");
    private static final byte[] USER = own("user");

    private OwnNamespaces() {
    }

    static boolean mount(int tid) {
        return same(tid, "mnt", MNT);
    }

    static boolean pid(int tid) {
        return same(tid, "pid", PID);
    }

    static boolean user(int tid) {
        return same(tid, "user", USER);
    }

    /** False also where the link cannot be read (the tracee is gone, or its namespace is not ours to see). */
    private static boolean same(int tid, String kind, byte[] ours) {
        try {
            return Arrays.equals(FileCalls.readlink(("/proc/" + tid + "/ns/" + kind).getBytes()), ours);
        } catch (ErrnoException e) {
            return false;
        }
    }

    private static byte[] own(String kind) {
        try {
            return FileCalls.readlink(("/proc/self/ns/" + kind).getBytes());
        } catch (ErrnoException e) {
            return new byte[0];
        }
    }
}
