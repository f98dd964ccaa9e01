package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The tracer's own system calls, all through libc's {@code syscall()}: one downcall handle serves every call.
 * Linking a handle costs milliseconds in a fresh JVM (one per distinct signature); with one for all of them,
 * jbinfmt starts ~40 ms sooner than with one per libc wrapper. Numbers are the host's, generated with the
 * bindings ({@code SYS_*}); pointers are passed as addresses.
 */
final class Syscall {
    /** Linked on first use (or by {@link #link}). */
    private static final class Call {
        static final MethodHandle HANDLE = CapturedErrno.variadicHandle(Libc.syscall.address(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                        JAVA_LONG), 1);
    }

    static final long PTRACE = Libc.SYS_ptrace();
    static final long WAIT4 = Libc.SYS_wait4();
    static final long KILL = Libc.SYS_kill();
    static final long GETPID = Libc.SYS_getpid();
    static final long GETEUID = Libc.SYS_geteuid();
    static final long GETPGID = Libc.SYS_getpgid();
    static final long IOCTL = Libc.SYS_ioctl();
    static final long PROCESS_VM_READV = Libc.SYS_process_vm_readv();
    static final long PROCESS_VM_WRITEV = Libc.SYS_process_vm_writev();
    static final long OPENAT = Libc.SYS_openat();
    static final long PREAD64 = Libc.SYS_pread64();
    static final long PWRITE64 = Libc.SYS_pwrite64();
    static final long FSTATFS = Libc.SYS_fstatfs();
    static final long CLOSE = Libc.SYS_close();
    /** Not among the generated SYS_* numbers: the architecture's own. */
    static final long WRITE = io.jbinfmt.tracer.arch.Arch.host().write();
    static final long READ = io.jbinfmt.tracer.arch.Arch.host().read();
    static final long MEMFD_CREATE = io.jbinfmt.tracer.arch.Arch.host().memfdCreate();
    static final long SOCKETPAIR = io.jbinfmt.tracer.arch.Arch.host().socketpair();
    static final long SHUTDOWN = io.jbinfmt.tracer.arch.Arch.host().shutdown();
    static final long STATX = io.jbinfmt.tracer.arch.Arch.host().statx();
    static final long MKDIRAT = io.jbinfmt.tracer.arch.Arch.host().mkdirat();
    static final long UNLINKAT = io.jbinfmt.tracer.arch.Arch.host().unlinkat();
    static final long FACCESSAT2 = Libc.SYS_faccessat2();
    static final long NEWFSTATAT = Libc.SYS_newfstatat();
    static final long OPENAT2 = Libc.SYS_openat2();
    static final long READLINKAT = Libc.SYS_readlinkat();
    static final long SETFSUID = Libc.SYS_setfsuid();
    static final long SETFSGID = Libc.SYS_setfsgid();
    static final long SETGROUPS = Libc.SYS_setgroups();
    static final long GETGROUPS = Libc.SYS_getgroups();
    static final long PIDFD_OPEN = Libc.SYS_pidfd_open();
    static final long PIDFD_GETFD = Libc.SYS_pidfd_getfd();
    static final long PIDFD_SEND_SIGNAL = Libc.SYS_pidfd_send_signal();
    static final long PPOLL = Libc.SYS_ppoll();
    static final long EVENTFD2 = Libc.SYS_eventfd2();
    static final long WAITID = Libc.SYS_waitid();

    private Syscall() {
    }

    /** Runs syscall {@code nr}; returns its result, or {@code -errno} when it failed. */
    static long raw(long nr, long a, long b, long c, long d, long e, long f) {
        MemorySegment errno = CapturedErrno.buffer();
        long r;
        try {
            r = (long) Call.HANDLE.invokeExact(errno, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        return r == -1 ? -CapturedErrno.errno(errno) : r;
    }

    static long raw(long nr, long a, long b, long c, long d) {
        return raw(nr, a, b, c, d, 0, 0);
    }

    /** Runs syscall {@code nr}; returns its result, or throws with the errno, naming the call {@code what}. */
    static long call(String what, long nr, long a, long b, long c, long d) throws ErrnoException {
        long r = raw(nr, a, b, c, d, 0, 0);
        if (r < 0 && r >= -4095) {
            throw new ErrnoException(what, (int) -r);
        }
        return r;
    }

    /** Links the handle now (see {@code Warmup}). */
    static void link() {
        Objects.requireNonNull(Call.HANDLE);
    }
}
