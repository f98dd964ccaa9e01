package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
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
    /** Linked on first use: each downcall handle costs milliseconds in a fresh JVM. */
    private static final class TcgetpgrpCall {
        static final MethodHandle HANDLE = CapturedErrno.handle(Libc.tcgetpgrp$address(), Libc.tcgetpgrp$descriptor());
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
        return Libc.pause$address();
    }

    /** The address of libc's syscall() function, whose code holds a syscall instruction to borrow. */
    public static MemorySegment syscallFunctionAddress() {
        return Libc.syscall.address();
    }

    public static int geteuid() {
        return Libc.geteuid();
    }

    public static int getpid() {
        return Libc.getpid();
    }

    public static int getpgid(int pid) {
        return Libc.getpgid(pid);
    }

    /** The foreground process group of the terminal open on {@code fd}, or -1 when it is not a terminal. */
    public static int foregroundGroup(int fd) {
        MemorySegment errno = CapturedErrno.buffer();
        try {
            return (int) TcgetpgrpCall.HANDLE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }

    /** Links every native call of this class now (see {@code Warmup}); otherwise each links on first use. */
    public static void linkAll() {
        Objects.requireNonNull(CloneCall.HANDLE);
        Objects.requireNonNull(TcgetpgrpCall.HANDLE);
    }
}
