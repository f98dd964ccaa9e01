package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.FileStamp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Programs and interpreters the tracer has opened, kept open with their headers, so that the next exec of the same
 * unchanged file costs one statx instead of an open, a read and a close (the usual run execs the same few files
 * over and over). A file is the same and unchanged while its device, inode and change time are: the descriptor we
 * hold keeps its inode from being reused, and every write or chmod moves the change time on.
 * <p>
 * Held only when that is safe to rely on, and harmless:
 * <ul>
 * <li>settled: changed more than {@link #SETTLED_NANOS} before we read it; the kernel stamps change times from a
 *   coarse clock, so two writes within one tick can leave the same time, but none after that tick can;</li>
 * <li>on the mount of our own root: a descriptor we hold would keep any other mount busy (a tracee's umount
 *   would fail with EBUSY, which it never does without us), and the root's cannot be unmounted anyway;</li>
 * <li>where that root is a local file system ({@link #LOCAL}), whose change times come from this machine's clock:
 *   on NFS, 9p, SMB or FUSE they come from elsewhere, whose clock may run behind ours.</li>
 * </ul>
 * At most {@link #CAPACITY} files (the least recently used go); a file deleted or replaced stays held until then.
 * Descriptors are closed only between exec decisions ({@link #settle}), never under a target of the decision
 * being made. Used by the tracer thread only.
 */
final class SettledFiles implements AutoCloseable {
    static final int CAPACITY = 64;
    static final long SETTLED_NANOS = 2_000_000_000L;

    /**
     * One held file: our descriptor, the stamp it had when its header was read, and the header; and whether we may
     * execute it, once asked (unchanged with its change time, as its mode, owner and ACL are).
     */
    static final class Held {
        private final int fd;
        private final FileStamp stamp;
        private final byte[] header;
        private Boolean executableByUs;

        Held(int fd, FileStamp stamp, byte[] header) {
            this.fd = fd;
            this.stamp = stamp;
            this.header = header;
        }

        int fd() {
            return fd;
        }

        FileStamp stamp() {
            return stamp;
        }

        byte[] header() {
            return header;
        }

        /** Whether the tracer's own credentials may execute it (faccessat2, asked once). */
        boolean executableByUs() {
            if (executableByUs == null) {
                executableByUs = FileCalls.access(fd, new byte[0], FileCalls.X_OK,
                        FileCalls.AT_EACCESS | FileCalls.AT_EMPTY_PATH) == 0;
            }
            return executableByUs;
        }
    }

    /**
     * A file by device and inode. Not a record: a record's equals and hashCode go through method handles, which the
     * tracer's C1-only JIT leaves slow; this map is looked up on every exec.
     */
    private static final class Key {
        private final long device;
        private final long inode;

        Key(long device, long inode) {
            this.device = device;
            this.inode = inode;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.device == device && k.inode == inode;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(device * 31 + inode);
        }
    }

    private final Map<Key, Held> held = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Integer, Held> byFd = new HashMap<>();
    /** Descriptors of entries replaced or evicted, closed at the next {@link #settle}. */
    private final List<Integer> retired = new ArrayList<>();
    private final long rootMount;
    /** How long before we read it a file must have last changed to be held ({@link #SETTLED_NANOS}; tests: less). */
    private final long settledNanos;

    SettledFiles() {
        this(SETTLED_NANOS);
    }

    SettledFiles(long settledNanos) {
        this.settledNanos = settledNanos;
        long mount;
        try {
            mount = isLocal(rootFileSystemType()) ? TraceeRoot.ourRootMount() : -1;
        } catch (ErrnoException e) {
            mount = -1;
        }
        this.rootMount = mount; // -1 (no mount ids before Linux 5.8, or not local): nothing is held
    }

    /**
     * File systems whose change times this machine's kernel stamps itself (statfs f_type, linux/magic.h): ext2-4,
     * XFS, Btrfs, tmpfs, overlayfs, F2FS, ZFS, bcachefs.
     */
    static final long[] LOCAL = {0xEF53L, 0x58465342L, 0x9123683EL, 0x01021994L, 0x794C7630L, 0xF2F52010L,
            0x2FC12FC1L, 0xCA451A4EL};

    static boolean isLocal(long fileSystemType) {
        for (long t : LOCAL) {
            if (t == fileSystemType) {
                return true;
            }
        }
        return false;
    }

    private static long rootFileSystemType() throws ErrnoException {
        int fd = FileCalls.open(FileCalls.AT_FDCWD, new byte[] {'/'}, FileCalls.O_PATH | FileCalls.O_CLOEXEC);
        try {
            return FileCalls.fileSystemType(fd);
        } finally {
            FileCalls.close(fd);
        }
    }

    /** The held file {@code stamp} names, if it is held and unchanged since; else null. */
    Held find(FileStamp stamp) {
        Held h = held.get(new Key(stamp.device(), stamp.inode()));
        if (h == null) {
            return null;
        }
        if (!h.stamp().sameFileUnchanged(stamp)) {
            held.remove(new Key(stamp.device(), stamp.inode()));
            retired.add(h.fd()); // still in byFd: a target of this decision may have it
            return null;
        }
        return h;
    }

    /**
     * Offers the file just opened on {@code fd}, whose header is {@code header}: returns true if it is held from
     * now on (then the descriptor is ours, not the caller's to close), false if it is not one to hold.
     */
    boolean offer(int fd, byte[] header) {
        if (rootMount < 0) {
            return false;
        }
        FileStamp stamp;
        try {
            stamp = FileStamp.ofOpen(fd); // the file opened, whatever the path names by now
        } catch (ErrnoException e) {
            return false;
        }
        if (stamp.mount() != rootMount || !stamp.regular()
                || stamp.ctimeNanos() > System.currentTimeMillis() * 1_000_000L - settledNanos) {
            return false;
        }
        Held h = new Held(fd, stamp, header);
        Held before = held.put(new Key(stamp.device(), stamp.inode()), h);
        if (before != null) {
            retired.add(before.fd());
        }
        byFd.put(fd, h);
        return true;
    }

    /** Whether {@code fd} is a held file's descriptor (not to be closed by whoever got it from here). */
    boolean holds(int fd) {
        return byFd.containsKey(fd);
    }

    /** The held file on descriptor {@code fd}, or null. */
    Held heldAt(int fd) {
        return byFd.get(fd);
    }

    /** Between two exec decisions: closes what was replaced, and the least recently used past the capacity. */
    void settle() {
        for (int fd : retired) {
            byFd.remove(fd);
            FileCalls.close(fd);
        }
        retired.clear();
        Iterator<Held> it = held.values().iterator();
        for (int extra = held.size() - CAPACITY; extra > 0 && it.hasNext(); extra--) {
            Held h = it.next();
            byFd.remove(h.fd());
            FileCalls.close(h.fd());
            it.remove();
        }
    }

    @Override
    public void close() {
        settle();
        for (Held h : held.values()) {
            FileCalls.close(h.fd());
        }
        held.clear();
        byFd.clear();
    }
}
