import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The start-up floor for bench/startup.sh: the least a JVM program that runs a command through FFM does before and
 * after it, with jbinfmt's JVM flags and an AOT cache of its own. It links libc's syscall() as jbinfmt links it
 * (variadic, errno captured), starts {@code COMMAND} with posix_spawn (no filter, no tracing, no rules), waits for
 * it with wait4 through syscall(), and exits with its status. No exec is looked at: jbinfmt cannot start for less.
 * <p>
 * {@code java -cp DIR StartFloor COMMAND} (an absolute path; no arguments, no PATH search)
 */
public final class StartFloor {
    private static final long SYS_WAIT4 = 61; // x86_64, as the rest of bench/ (the floors in C are x86_64 only too)

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle syscall = linker.downcallHandle(linker.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                        JAVA_LONG),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        MethodHandle spawn = linker.downcallHandle(linker.defaultLookup().find("posix_spawn").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment pid = arena.allocate(JAVA_INT);
            MemorySegment path = arena.allocateFrom(args[0]);
            MemorySegment argv = arena.allocate(ADDRESS, 2);
            argv.setAtIndex(ADDRESS, 0, path);
            MemorySegment envp = arena.allocate(ADDRESS, 1);
            int r = (int) spawn.invokeExact(pid, path, MemorySegment.NULL, MemorySegment.NULL, argv, envp);
            if (r != 0) {
                System.err.println("StartFloor: posix_spawn " + args[0] + ": error " + r);
                Runtime.getRuntime().halt(127);
            }
            MemorySegment status = arena.allocate(JAVA_INT);
            long w = (long) syscall.invokeExact(errno, SYS_WAIT4, (long) pid.get(JAVA_INT, 0), status.address(),
                    0L, 0L, 0L, 0L);
            int s = status.get(JAVA_INT, 0);
            Runtime.getRuntime().halt(w < 0 ? 125 : (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f));
        }
    }
}
