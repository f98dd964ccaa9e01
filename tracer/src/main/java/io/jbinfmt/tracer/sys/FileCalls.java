package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;
import io.jbinfmt.bindings.libc.stat;
import io.jbinfmt.bindings.libc.statvfs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** File calls on byte paths (never decoded as text): access, stat, open, pread, close. */
public final class FileCalls {
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class FaccessatCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.faccessat$address(), Libc.faccessat$descriptor());
    }
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class FstatatCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.fstatat$address(), Libc.fstatat$descriptor());
    }
    // int openat(int dirfd, const char *path, int flags, ...): mode is never needed, we only read.
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class OpenatCall {
        static final MethodHandle HANDLE = CapturedErrno.variadicHandle(Libc.openat.address(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), 3);
    }
    /** openat with its mode argument, for files that may be created. */
    private static final class OpenatModeCall {
        static final MethodHandle HANDLE = CapturedErrno.variadicHandle(Libc.openat.address(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), 3);
    }

    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class PreadCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.pread$address(), Libc.pread$descriptor());
    }
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class CloseCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.close$address(), Libc.close$descriptor());
    }
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class PwriteCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.pwrite$address(), Libc.pwrite$descriptor());
    }
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class FstatvfsCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.fstatvfs$address(), Libc.fstatvfs$descriptor());
    }

    public static final int AT_FDCWD = Libc.AT_FDCWD();
    public static final int AT_EACCESS = Libc.AT_EACCESS();
    public static final int AT_EMPTY_PATH = Libc.AT_EMPTY_PATH();
    public static final int X_OK = Libc.X_OK();
    public static final int O_RDONLY = Libc.O_RDONLY();
    public static final int O_CLOEXEC = Libc.O_CLOEXEC();
    public static final int O_RDWR = Libc.O_RDWR();
    public static final int O_WRONLY = Libc.O_WRONLY();
    public static final int O_CREAT = Libc.O_CREAT();
    public static final int O_TRUNC = Libc.O_TRUNC();
    public static final int O_APPEND = Libc.O_APPEND();
    public static final int O_NONBLOCK = Libc.O_NONBLOCK();
    public static final int AT_SYMLINK_NOFOLLOW = Libc.AT_SYMLINK_NOFOLLOW();

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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = CapturedErrno.buffer();
            int r = (int) FaccessatCall.HANDLE.invokeExact(errno, dirfd, cString(arena, path), mode, flags);
            return r == 0 ? 0 : CapturedErrno.errno(errno);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /** The st_mode of {@code path} (following symlinks), or throws with the errno. */
    public static int mode(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = stat.allocate(arena);
            MemorySegment errno = CapturedErrno.buffer();
            int r;
            try {
                r = (int) FstatatCall.HANDLE.invokeExact(errno, dirfd, cString(arena, path), st, flags);
            } catch (Throwable t) {
                throw CapturedErrno.rethrow(t);
            }
            if (r != 0) {
                throw new ErrnoException("stat", CapturedErrno.errno(errno));
            }
            return stat.st_mode(st);
        }
    }

    public static boolean isRegular(int mode) {
        return (mode & Libc.S_IFMT()) == Libc.S_IFREG();
    }

    /** openat(dirfd, path, flags); returns the descriptor. */
    public static int open(int dirfd, byte[] path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = CapturedErrno.buffer();
            int fd;
            try {
                fd = (int) OpenatCall.HANDLE.invokeExact(errno, dirfd, cString(arena, path), flags);
            } catch (Throwable t) {
                throw CapturedErrno.rethrow(t);
            }
            if (fd < 0) {
                throw new ErrnoException("open", CapturedErrno.errno(errno));
            }
            return fd;
        }
    }

    /** openat(AT_FDCWD, path, flags, mode): may create the file. */
    public static int open(byte[] path, int flags, int mode) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = CapturedErrno.buffer();
            int fd;
            try {
                fd = (int) OpenatModeCall.HANDLE.invokeExact(errno, AT_FDCWD, cString(arena, path), flags, mode);
            } catch (Throwable t) {
                throw CapturedErrno.rethrow(t);
            }
            if (fd < 0) {
                throw new ErrnoException("open " + new String(path), CapturedErrno.errno(errno));
            }
            return fd;
        }
    }

    /** pread(fd, buf, buf.byteSize(), offset): the bytes read (0 at end of file). */
    public static long pread(int fd, MemorySegment buf, long offset) throws ErrnoException {
        MemorySegment errno = CapturedErrno.buffer();
        long r;
        try {
            r = (long) PreadCall.HANDLE.invokeExact(errno, fd, buf, buf.byteSize(), offset);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("pread", CapturedErrno.errno(errno));
        }
        return r;
    }

    /** pwrite(fd, buf, buf.byteSize(), offset): the bytes written. */
    public static long pwrite(int fd, MemorySegment buf, long offset) throws ErrnoException {
        MemorySegment errno = CapturedErrno.buffer();
        long r;
        try {
            r = (long) PwriteCall.HANDLE.invokeExact(errno, fd, buf, buf.byteSize(), offset);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("pwrite", CapturedErrno.errno(errno));
        }
        return r;
    }

    /** Whether the file open on {@code fd} lives on a noexec mount. */
    public static boolean onNoexecMount(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = statvfs.allocate(arena);
            MemorySegment errno = CapturedErrno.buffer();
            int r;
            try {
                r = (int) FstatvfsCall.HANDLE.invokeExact(errno, fd, buf);
            } catch (Throwable t) {
                throw CapturedErrno.rethrow(t);
            }
            if (r != 0) {
                throw new ErrnoException("fstatvfs", CapturedErrno.errno(errno));
            }
            return (statvfs.f_flag(buf) & Libc.ST_NOEXEC()) != 0;
        }
    }

    /** The st_mode of the file open on {@code fd}. */
    public static int modeOf(int fd) throws ErrnoException {
        return mode(fd, new byte[0], AT_EMPTY_PATH);
    }

    public static boolean isSymlink(int mode) {
        return (mode & Libc.S_IFMT()) == 0120000;
    }

    /** close(fd), ignoring errors: there is nothing useful to do about them here. */
    public static void close(int fd) {
        try {
            int ignored = (int) CloseCall.HANDLE.invokeExact(CapturedErrno.buffer(), fd);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /** Links every native call of this class now (see {@code Warmup}); otherwise each links on first use. */
    public static void linkAll() {
        Objects.requireNonNull(FaccessatCall.HANDLE);
        Objects.requireNonNull(FstatatCall.HANDLE);
        Objects.requireNonNull(OpenatCall.HANDLE);
        Objects.requireNonNull(PreadCall.HANDLE);
        Objects.requireNonNull(CloseCall.HANDLE);
        Objects.requireNonNull(PwriteCall.HANDLE);
        Objects.requireNonNull(FstatvfsCall.HANDLE);
    }
}
