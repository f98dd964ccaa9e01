package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Objects;

/** Process-level libc calls: clone with a libc entry point, ids, terminal foreground group. */
public final class ProcessCalls {
    // int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...): we pass the four fixed arguments.
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class CloneCall {
        static final MethodHandle HANDLE = CapturedErrno.variadicHandle( Libc.clone.address(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), 4);
    }

    private ProcessCalls() {
    }

    /**
     * clone(entry, stackTop, flags, NULL): the child starts by calling the native function {@code entry} on
     * {@code stackTop}, so no Java code ever runs in it. Returns the child's pid.
     */
    public static int clone(MemorySegment entry, MemorySegment stackTop, int flags) throws ErrnoException {
        MemorySegment errno = CapturedErrno.buffer();
        int r;
        try {
            r = (int) CloneCall.HANDLE.invokeExact(errno, entry, stackTop, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
        if (r < 0) {
            throw new ErrnoException("clone", CapturedErrno.errno(errno));
        }
        return r;
    }

    /** The address of libc's pause(): the root tracee's entry point, where it waits to be seized. */
    public static MemorySegment pauseAddress() {
        // looked up, not taken from the generated Libc.pause, whose initializer also links a downcall handle
        return Linker.nativeLinker().defaultLookup().findOrThrow("pause");
    }

    /** The address of libc's syscall() function, whose code holds a syscall instruction to borrow. */
    public static MemorySegment syscallFunctionAddress() {
        return Libc.syscall.address();
    }

    public static int geteuid() {
        return (int) Syscall.raw(Syscall.GETEUID, 0, 0, 0, 0);
    }

    public static int getpid() {
        return (int) Syscall.raw(Syscall.GETPID, 0, 0, 0, 0);
    }

    /** The process group of {@code pid}, or -errno. */
    public static int getpgid(int pid) {
        return (int) Syscall.raw(Syscall.GETPGID, pid, 0, 0, 0);
    }

    /** The foreground process group of the terminal open on {@code fd}, or -1 when it is not a terminal. */
    public static int foregroundGroup(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pgrp = arena.allocate(ValueLayout.JAVA_INT);
            long r = Syscall.raw(Syscall.IOCTL, fd, Libc.TIOCGPGRP(), pgrp.address(), 0);
            return r < 0 ? -1 : pgrp.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * Links the tracer's two downcall handles now (see {@code Warmup}); otherwise each links on first use. syscall
     * first: the main thread needs it soon (loading the rules), clone only at the spawn.
     */
    public static void linkAll() {
        Syscall.link();
        geteuid(); // the first call through the handle spins its invoker too
        Objects.requireNonNull(CloneCall.HANDLE);
    }
}
