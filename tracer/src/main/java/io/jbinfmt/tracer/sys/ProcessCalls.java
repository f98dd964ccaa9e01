package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Process-level libc calls: clone with a libc entry point, ids, terminal foreground group. */
public final class ProcessCalls {
    // int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...): we pass the four fixed arguments.
    private static final MethodHandle CLONE = CapturedErrno.variadicHandle(
            Libc.clone.address(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
            4);
    private static final MethodHandle TCGETPGRP =
            CapturedErrno.handle(Libc.tcgetpgrp$address(), Libc.tcgetpgrp$descriptor());

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
            r = (int) CLONE.invokeExact(errno, entry, stackTop, flags, MemorySegment.NULL);
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
            return (int) TCGETPGRP.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw CapturedErrno.rethrow(t);
        }
    }
}
