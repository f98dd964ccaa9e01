package io.jbinfmt.tracer.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;


/**
 * Downcall handles that capture errno right after the call (jextract cannot add this option), and the
 * per-thread buffer the JVM writes it to. Reading {@code __errno_location()} afterwards would be unreliable:
 * the JVM may run other native code in between.
 */
final class CapturedErrno {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    // an offset rather than a VarHandle: building a VarHandle costs milliseconds of start-up
    private static final long ERRNO = STATE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    /** One capture buffer per thread, kept for the thread's life: no allocation per call. */
    private static final ThreadLocal<MemorySegment> BUFFER =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE));

    private CapturedErrno() {
    }

    /** A handle for a fixed-arity function; its first parameter becomes the capture segment. */
    static MethodHandle handle(MemorySegment address, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(address, descriptor, CAPTURE);
    }

    /** A handle for a variadic function whose variadic part starts at parameter {@code firstVariadic}. */
    static MethodHandle variadicHandle(MemorySegment address, FunctionDescriptor descriptor, int firstVariadic) {
        return LINKER.downcallHandle(address, descriptor, Linker.Option.firstVariadicArg(firstVariadic), CAPTURE);
    }

    /** The calling thread's capture segment, to pass as the first argument. */
    static MemorySegment buffer() {
        return BUFFER.get();
    }

    /** errno as captured by the last call on this thread that used {@link #buffer()}. */
    static int errno(MemorySegment buffer) {
        return buffer.get(ValueLayout.JAVA_INT, ERRNO);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
