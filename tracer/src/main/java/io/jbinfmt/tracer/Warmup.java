package io.jbinfmt.tracer;

import io.jbinfmt.bindings.libc.stat;
import io.jbinfmt.bindings.libc.statfs;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Scratch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Links the native calls a session needs ahead of time. Creating FFM downcall handles costs tens of milliseconds
 * in a fresh JVM; a command-line front end can run this on another thread while it parses its arguments, so that
 * the first {@link Session#start} does not wait for it. Optional: sessions work without it.
 */
public final class Warmup {
    /** Cleared when the session will not check execs itself (the kernel engine's): see {@link #run}. */
    private static volatile boolean execChecks = true;

    private Warmup() {
    }

    /**
     * Tells a warm-up under way whether the session will check execs itself (every engine but the kernel's does):
     * if not, it skips what only those checks use.
     */
    public static void sessionChecksExecs(boolean checks) {
        execChecks = checks;
    }

    /**
     * Starts the warm-up on two daemon platform threads and returns at once: one links the native calls, the
     * other readies native memory access meanwhile (each first use spins method handles, tens of ms in all, which
     * the first system call's caller would otherwise spin after the link, on the way to the command's start).
     */
    public static void inBackground() {
        Thread.ofPlatform().daemon(true).name("jbinfmt-warmup").start(Warmup::run);
        Thread.ofPlatform().daemon(true).name("jbinfmt-warmup-memory").start(Warmup::memory);
    }

    /** Initializes the native call layer and the exec filter (class initialization is thread-safe). */
    public static void run() {
        try {
            ProcessCalls.linkAll();
            new ExecFilter(Arch.host());
        } catch (RuntimeException e) {
            // a warm-up only: whatever fails here fails again, with a proper error, where it is really used
        }
    }

    /**
     * The native memory access the tracer's calls make, with no call: a thread's scratch block, the copies in and
     * out, reads and writes of each width; and the struct classes the first exec's checks read (their
     * initializers, all layout paths, cost tens of ms).
     */
    static void memory() {
        try (Scratch s = Scratch.enter()) {
            Objects.requireNonNull(s.cString(new byte[] {'/'}));
            MemorySegment m = s.copyOf(new byte[32]);
            m.set(ValueLayout.JAVA_LONG, 0, m.get(ValueLayout.JAVA_LONG, 8));
            m.set(ValueLayout.JAVA_INT, 16, m.get(ValueLayout.JAVA_INT, 20));
            m.set(ValueLayout.JAVA_SHORT, 24, m.get(ValueLayout.JAVA_SHORT, 26));
            m.set(ValueLayout.JAVA_BYTE, 28, m.get(ValueLayout.JAVA_BYTE, 29));
            Objects.requireNonNull(m.asSlice(8, 8).toArray(ValueLayout.JAVA_BYTE));
            Objects.requireNonNull(m.toArray(ValueLayout.JAVA_LONG));
            if (execChecks) {
                Objects.requireNonNull(stat.layout());
                Objects.requireNonNull(statfs.layout());
            }
        } catch (RuntimeException e) {
            // a warm-up only, as above
        }
    }
}
