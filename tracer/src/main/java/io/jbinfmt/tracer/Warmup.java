package io.jbinfmt.tracer;

import io.jbinfmt.bindings.libc.stat;
import io.jbinfmt.bindings.libc.statfs;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.ProcessCalls;

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

    /** Starts the warm-up on a daemon platform thread and returns at once. */
    public static void inBackground() {
        Thread.ofPlatform().daemon(true).name("jbinfmt-warmup").start(Warmup::run);
    }

    /** Initializes the native call layer and the exec filter (class initialization is thread-safe). */
    public static void run() {
        try {
            ProcessCalls.linkAll();
            new ExecFilter(Arch.host());
            // the struct classes the first exec's checks read: their initializers build VarHandles for array
            // fields, tens of ms of lambda forms that would otherwise be spun on the tracer thread at that exec
            if (execChecks) {
                Objects.requireNonNull(stat.layout());
                Objects.requireNonNull(statfs.layout());
            }
        } catch (RuntimeException e) {
            // a warm-up only: whatever fails here fails again, with a proper error, where it is really used
        }
    }
}
