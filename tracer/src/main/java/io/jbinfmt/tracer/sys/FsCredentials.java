package io.jbinfmt.tracer.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The credentials the kernel checks a process's file accesses with (fsuid, fsgid, supplementary groups, the
 * effective capabilities that may override the file's mode), and
 * a way for the calling thread to check an access as that process would. Credentials are per thread in Linux;
 * the raw syscalls used here (not glibc's wrappers, which change every thread of the process) switch only the
 * calling thread, and only a thread with CAP_SETUID and CAP_SETGID may switch at all.
 */
public record FsCredentials(int fsuid, int fsgid, int[] groups, long capEff) {
    private static final long CAPGET = io.jbinfmt.tracer.arch.Arch.host().capget();
    private static final long CAPSET = io.jbinfmt.tracer.arch.Arch.host().capset();
    /** _LINUX_CAPABILITY_VERSION_3: two 32-bit words per set. */
    private static final int CAP_V3 = 0x20080522;

    /** The calling thread's own. */
    public static FsCredentials ofThisThread() {
        int fsuid = (int) Syscall.raw(Syscall.SETFSUID, -1, 0, 0, 0); // -1 changes nothing, returns the current
        int fsgid = (int) Syscall.raw(Syscall.SETFSGID, -1, 0, 0, 0);
        try (Arena arena = Arena.ofConfined()) {
            int n = (int) Syscall.raw(Syscall.GETGROUPS, 0, 0, 0, 0);
            MemorySegment list = arena.allocate(ValueLayout.JAVA_INT, Math.max(n, 1));
            n = (int) Syscall.raw(Syscall.GETGROUPS, n, list.address(), 0, 0);
            return new FsCredentials(fsuid, fsgid, n <= 0 ? new int[0]
                    : list.asSlice(0, 4L * n).toArray(ValueLayout.JAVA_INT), capabilities(arena, -1));
        }
    }

    /**
     * capget of the calling thread, or capset of its effective set to {@code effective} (-1: read only); returns
     * the effective set as it was. Lowering the effective set, and raising it again from the permitted one, needs
     * no privilege, and changes this thread only.
     */
    private static long capabilities(Arena arena, long effective) {
        MemorySegment header = arena.allocate(8);
        header.set(ValueLayout.JAVA_INT, 0, CAP_V3);
        header.set(ValueLayout.JAVA_INT, 4, 0); // this thread
        MemorySegment data = arena.allocate(24); // {effective, permitted, inheritable} x 2 words
        Syscall.raw(CAPGET, header.address(), data.address(), 0, 0);
        long was = Integer.toUnsignedLong(data.get(ValueLayout.JAVA_INT, 0))
                | Integer.toUnsignedLong(data.get(ValueLayout.JAVA_INT, 12)) << 32;
        if (effective != -1) {
            long permitted = Integer.toUnsignedLong(data.get(ValueLayout.JAVA_INT, 4))
                    | Integer.toUnsignedLong(data.get(ValueLayout.JAVA_INT, 16)) << 32;
            long e = effective & permitted;
            data.set(ValueLayout.JAVA_INT, 0, (int) e);
            data.set(ValueLayout.JAVA_INT, 12, (int) (e >>> 32));
            Syscall.raw(CAPSET, header.address(), data.address(), 0, 0);
        }
        return was;
    }

    /**
     * faccessat2(dirfd, path, mode, flags | AT_EACCESS) with these credentials instead of the calling thread's,
     * which are then restored: 0, or the errno the process with these credentials would get.
     */
    public int access(int dirfd, byte[] path, int mode, int flags, FsCredentials own) {
        assume(this);
        try {
            return FileCalls.access(dirfd, path, mode, flags | FileCalls.AT_EACCESS);
        } finally {
            assume(own); // setting fsuid back to 0 also gives back the file capabilities it took away
        }
    }

    private static void assume(FsCredentials c) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ValueLayout.JAVA_INT, Math.max(c.groups.length, 1));
            MemorySegment.copy(c.groups, 0, list, ValueLayout.JAVA_INT, 0, c.groups.length);
            Syscall.raw(Syscall.SETGROUPS, c.groups.length, list.address(), 0, 0);
        }
        Syscall.raw(Syscall.SETFSGID, c.fsgid, 0, 0, 0);
        Syscall.raw(Syscall.SETFSUID, c.fsuid, 0, 0, 0);
        try (Arena arena = Arena.ofConfined()) {
            capabilities(arena, c.capEff); // after setfsuid, which changes the file capabilities itself
        }
    }

    /** Whether a process with these credentials is checked exactly as one with {@code other}. */
    public boolean sameAs(FsCredentials other) {
        return fsuid == other.fsuid && fsgid == other.fsgid && Arrays.equals(groups, other.groups)
                && capEff == other.capEff;
    }
}
