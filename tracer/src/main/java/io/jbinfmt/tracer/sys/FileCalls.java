package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;
import io.jbinfmt.bindings.libc.stat;
import io.jbinfmt.bindings.libc.open_how;
import io.jbinfmt.bindings.libc.statfs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** File calls on byte paths (never decoded as text): access, stat, open, pread, close. */
public final class FileCalls {
    public static final int AT_FDCWD = Libc.AT_FDCWD();
    public static final int AT_EACCESS = Libc.AT_EACCESS();
    public static final int AT_EMPTY_PATH = Libc.AT_EMPTY_PATH();
    public static final int X_OK = Libc.X_OK();
    public static final int R_OK = 4;
    public static final int O_RDONLY = Libc.O_RDONLY();
    public static final int O_CLOEXEC = Libc.O_CLOEXEC();
    public static final int O_RDWR = Libc.O_RDWR();
    public static final int O_WRONLY = Libc.O_WRONLY();
    public static final int O_CREAT = Libc.O_CREAT();
    public static final int O_TRUNC = Libc.O_TRUNC();
    public static final int O_APPEND = Libc.O_APPEND();
    public static final int O_NONBLOCK = Libc.O_NONBLOCK();
    public static final int AT_SYMLINK_NOFOLLOW = Libc.AT_SYMLINK_NOFOLLOW();
    public static final int O_PATH = Libc.O_PATH();
    public static final int O_DIRECTORY = Libc.O_DIRECTORY();
    public static final int O_NOFOLLOW = Libc.O_NOFOLLOW();

    private FileCalls() {
    }

    /** A NUL-terminated copy of {@code path} in {@code arena}. */
    public static MemorySegment cString(Arena arena, byte[] path) {
        MemorySegment s = arena.allocate(path.length + 1L);
        MemorySegment.copy(path, 0, s, ValueLayout.JAVA_BYTE, 0, path.length);
        s.set(ValueLayout.JAVA_BYTE, path.length, (byte) 0);
        return s;
    }

    /** faccessat(dirfd, path, mode, flags) == 0; otherwise the errno. */
    public static int access(int dirfd, byte[] path, int mode, int flags) {
        try (Scratch s = Scratch.enter()) {
            long r = Syscall.raw(Syscall.FACCESSAT2, dirfd, s.cString(path).address(), mode, flags);
            return r == 0 ? 0 : (int) -r;
        }
    }

    /** The st_mode of {@code path} (following symlinks), or throws with the errno. */
    public static int mode(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            MemorySegment st = s.allocate(stat.layout().byteSize());
            Syscall.call("stat", Syscall.NEWFSTATAT, dirfd, s.cString(path).address(), st.address(), flags);
            return stat.st_mode(st);
        }
    }

    public static boolean isRegular(int mode) {
        return (mode & Libc.S_IFMT()) == Libc.S_IFREG();
    }

    /** openat(dirfd, path, flags); returns the descriptor. */
    public static int open(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            return (int) Syscall.call("open", Syscall.OPENAT, dirfd, s.cString(path).address(), flags, 0);
        }
    }

    /** openat(AT_FDCWD, path, flags, mode): may create the file. */
    public static int open(byte[] path, int flags, int mode) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            return (int) Syscall.call("open " + new String(path), Syscall.OPENAT, AT_FDCWD,
                    s.cString(path).address(), flags, mode);
        }
    }

    /**
     * openat2(rootFd, path, {flags, 0, RESOLVE_IN_ROOT}): {@code path} resolved as if {@code rootFd} were the root
     * directory, absolute symlinks and ".." included (what a chroot'ed process would open). Returns the descriptor.
     */
    public static int openInRoot(int rootFd, byte[] path, int flags) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            MemorySegment how = s.allocate(open_how.layout().byteSize());
            how.fill((byte) 0); // the kernel refuses unknown fields that are not zero
            open_how.flags(how, flags);
            open_how.mode(how, 0);
            open_how.resolve(how, Libc.RESOLVE_IN_ROOT());
            MemorySegment p = s.cString(path);
            while (true) {
                long r = Syscall.raw(Syscall.OPENAT2, rootFd, p.address(), how.address(), how.byteSize());
                if (r >= 0) {
                    return (int) r;
                }
                if (r != -Errno.EAGAIN.code) { // EAGAIN: a rename raced the lookup; the kernel asks to retry
                    throw new ErrnoException("openat2 " + new String(path), (int) -r);
                }
            }
        }
    }

    /** readlink(path), the link's bytes. */
    public static byte[] readlink(byte[] path) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            MemorySegment buf = s.allocate(4096);
            long n = Syscall.raw(Syscall.READLINKAT, AT_FDCWD, s.cString(path).address(), buf.address(),
                    buf.byteSize());
            if (n < 0) { // the message only on failure: three links are read for every exec decided
                throw new ErrnoException("readlink " + new String(path), (int) -n);
            }
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The contents of a small file (up to 8 KiB: a /proc file), read at once. */
    public static byte[] readSmall(byte[] path) throws ErrnoException {
        int fd = open(AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
        try (Scratch s = Scratch.enter()) {
            MemorySegment buf = s.allocate(8192);
            long n = pread(fd, buf, 0);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } finally {
            close(fd);
        }
    }

    /** pread(fd, buf, buf.byteSize(), offset): the bytes read (0 at end of file). */
    public static long pread(int fd, MemorySegment buf, long offset) throws ErrnoException {
        return Syscall.call("pread", Syscall.PREAD64, fd, buf.address(), buf.byteSize(), offset);
    }

    /** pwrite(fd, buf, buf.byteSize(), offset): the bytes written. */
    public static long pwrite(int fd, MemorySegment buf, long offset) throws ErrnoException {
        return Syscall.call("pwrite", Syscall.PWRITE64, fd, buf.address(), buf.byteSize(), offset);
    }

    /** write(fd, buf, buf.byteSize()), for files that take no offset (/proc/PID/uid_map): the bytes written. */
    public static long write(int fd, MemorySegment buf) throws ErrnoException {
        return Syscall.call("write", Syscall.WRITE, fd, buf.address(), buf.byteSize(), 0);
    }

    /** read(fd, buf, buf.byteSize()): the bytes read, 0 at end of file. */
    public static long read(int fd, MemorySegment buf) throws ErrnoException {
        return Syscall.call("read", Syscall.READ, fd, buf.address(), buf.byteSize(), 0);
    }

    /** MFD_CLOEXEC, MFD_EXEC (Linux 6.3: says the file will be exec'd, so vm.memfd_noexec 1 does not seal it). */
    public static final int MFD_CLOEXEC = 1;
    public static final int MFD_EXEC = 0x10;

    /** memfd_create(name, flags): an anonymous file's descriptor. */
    public static int memfd(Arena arena, String name, int flags) throws ErrnoException {
        return (int) Syscall.call("memfd_create", Syscall.MEMFD_CREATE,
                cString(arena, name.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).address(), flags, 0, 0);
    }

    /** A connected pair of Unix stream sockets, both close-on-exec: {fd0, fd1}. */
    public static int[] socketPair() throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            Syscall.call("socketpair", Syscall.SOCKETPAIR, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.address());
            return new int[]{fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SHUT_WR = 1;

    /** shutdown(fd, SHUT_WR): the peer reads end of file, we can still read what it sends. */
    public static void shutdownWrite(int fd) {
        Syscall.raw(Syscall.SHUTDOWN, fd, SHUT_WR, 0, 0);
    }

    /** ST_NOSYMFOLLOW (statvfs.h, Linux 5.10): symlinks on this mount are not followed. */
    public static final long ST_NOSYMFOLLOW = 0x2000;

    /** Whether the file open on {@code fd} lives on a noexec mount. */
    public static boolean onNoexecMount(int fd) throws ErrnoException {
        return (mountFlags(fd) & Libc.ST_NOEXEC()) != 0;
    }

    /** The f_type (the file system's magic number) of the file open on {@code fd} (an O_PATH one will do). */
    public static long fileSystemType(int fd) throws ErrnoException {
        return fstatfs(fd, true);
    }

    /** The ST_* flags of the mount the file open on {@code fd} (an O_PATH one will do) lives on. */
    public static long mountFlags(int fd) throws ErrnoException {
        return fstatfs(fd, false);
    }

    /** fstatfs(fd): its f_type, or its f_flags. */
    private static long fstatfs(int fd, boolean type) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            MemorySegment buf = s.allocate(statfs.layout().byteSize());
            Syscall.call("fstatfs", Syscall.FSTATFS, fd, buf.address(), 0, 0);
            return type ? statfs.f_type(buf) : statfs.f_flags(buf);
        }
    }

    /**
     * What {@code path} names (following links), as {mount id, device, inode}: the same directory through the same
     * mount only if all three are equal (a directory has one dentry; a btrfs subvolume within a mount has its own
     * device). Null where the kernel does not say the mount (before Linux 5.8).
     */
    public static long[] mountDeviceInode(byte[] path) throws ErrnoException {
        FileStamp s = FileStamp.of(AT_FDCWD, path, 0);
        return s.mount() < 0 ? null : new long[] {s.mount(), s.device(), s.inode()};
    }

    /** The st_mode of the file open on {@code fd}. */
    public static int modeOf(int fd) throws ErrnoException {
        return mode(fd, new byte[0], AT_EMPTY_PATH);
    }

    public static boolean isSymlink(int mode) {
        return (mode & Libc.S_IFMT()) == 0120000;
    }

    /** mkdirat(AT_FDCWD, path, mode). */
    public static void mkdir(byte[] path, int mode) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            long r = Syscall.raw(Syscall.MKDIRAT, AT_FDCWD, s.cString(path).address(), mode, 0);
            if (r < 0) { // the message only on failure, as for readlink
                throw new ErrnoException("mkdir " + new String(path), (int) -r);
            }
        }
    }

    /** unlinkat(AT_FDCWD, path, AT_REMOVEDIR): 0, or the errno (ENOENT: gone already; EBUSY: a cgroup in use). */
    public static int rmdir(byte[] path) {
        try (Scratch s = Scratch.enter()) {
            long r = Syscall.raw(Syscall.UNLINKAT, AT_FDCWD, s.cString(path).address(), AT_REMOVEDIR, 0);
            return r == 0 ? 0 : (int) -r;
        }
    }

    /** linux/fcntl.h, the same on every architecture; not among the generated constants. */
    private static final int AT_REMOVEDIR = 0x200;

    /** close(fd), ignoring errors: there is nothing useful to do about them here. */
    public static void close(int fd) {
        Syscall.raw(Syscall.CLOSE, fd, 0, 0, 0);
    }

}
