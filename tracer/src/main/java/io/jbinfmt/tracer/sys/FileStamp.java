package io.jbinfmt.tracer.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What one statx says of a file: its type and mode, the mount it was reached through, its device and inode, and
 * its change time. Two stamps with the same device, inode and change time name the same file unchanged, as long as
 * something holds it open (an inode in use is never reused).
 *
 * @param mode      st_mode (type and permission bits)
 * @param mount     the mount's id (unique among the mounts that exist at once), or -1 where the kernel does not
 *                  say (before Linux 5.8)
 * @param device    the device, major in the high word
 * @param inode     the inode number
 * @param ctimeNanos the change time in nanoseconds since the epoch (changed by every write, chmod, rename)
 */
public record FileStamp(int mode, long mount, long device, long inode, long ctimeNanos) {
    /*
     * struct statx (linux/stat.h): the same layout on every architecture, so written out here rather than taken
     * from the bindings (which jextract makes from glibc's headers, whose statx needs _GNU_SOURCE).
     */
    private static final int STATX_SIZE = 256;
    private static final int STX_MASK = 0;
    private static final int STX_MODE = 28;
    private static final int STX_INO = 32;
    private static final int STX_CTIME = 96;
    private static final int STX_DEV_MAJOR = 136;
    private static final int STX_DEV_MINOR = 140;
    private static final int STX_MNT_ID = 144;
    private static final int STATX_TYPE = 0x1;
    private static final int STATX_MODE = 0x2;
    private static final int STATX_CTIME = 0x80;
    private static final int STATX_INO = 0x100;
    private static final int STATX_MNT_ID = 0x1000;
    private static final int WANTED = STATX_TYPE | STATX_MODE | STATX_CTIME | STATX_INO | STATX_MNT_ID;

    /** statx(dirfd, path, flags) (symlinks followed unless flags say otherwise), or throws with the errno. */
    public static FileStamp of(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            MemorySegment st = s.allocate(STATX_SIZE);
            long r = Syscall.raw(Syscall.STATX, dirfd, s.cString(path).address(), flags, WANTED, st.address(), 0);
            if (r < 0) { // the message only on failure: this is on every exec's path
                throw new ErrnoException("statx " + new String(path), (int) -r);
            }
            int mask = st.get(ValueLayout.JAVA_INT, STX_MASK);
            long dev = ((long) st.get(ValueLayout.JAVA_INT, STX_DEV_MAJOR) << 32)
                    | Integer.toUnsignedLong(st.get(ValueLayout.JAVA_INT, STX_DEV_MINOR));
            long ctime = (mask & STATX_CTIME) == 0 ? Long.MIN_VALUE
                    : st.get(ValueLayout.JAVA_LONG, STX_CTIME) * 1_000_000_000L
                    + Integer.toUnsignedLong(st.get(ValueLayout.JAVA_INT, STX_CTIME + 8));
            return new FileStamp(Short.toUnsignedInt(st.get(ValueLayout.JAVA_SHORT, STX_MODE)),
                    (mask & STATX_MNT_ID) == 0 ? -1 : st.get(ValueLayout.JAVA_LONG, STX_MNT_ID), dev,
                    st.get(ValueLayout.JAVA_LONG, STX_INO), ctime);
        }
    }

    /** The stamp of the file open on {@code fd}. */
    public static FileStamp ofOpen(int fd) throws ErrnoException {
        return of(fd, new byte[0], FileCalls.AT_EMPTY_PATH);
    }

    /** Whether it is a regular file. */
    public boolean regular() {
        return FileCalls.isRegular(mode);
    }

    /** Whether {@code other} is this file, unchanged (same device, inode and change time; the mount aside). */
    public boolean sameFileUnchanged(FileStamp other) {
        return device == other.device && inode == other.inode && ctimeNanos == other.ctimeNanos
                && ctimeNanos != Long.MIN_VALUE;
    }
}
