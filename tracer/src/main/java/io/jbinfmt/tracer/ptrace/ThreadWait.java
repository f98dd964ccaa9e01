package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The one way to wait for a single thread, used while the tracer drives it step by step (injected syscalls, a
 * rewrite's stops): wait for its next stop of the wanted kind, resume any other stop, hold back the signals it
 * meets, and hand its death to the event loop, which alone keeps the books (the death was reaped here). The event
 * loop's own wait, for any tracee, is the only other.
 */
public final class ThreadWait {
    private final MemorySegment status;
    private final Consumer<StopEvent> deaths;
    private int heldSignal;

    /**
     * @param status 4 bytes for the wait status
     * @param deaths receives the thread's death if it dies meanwhile
     */
    public ThreadWait(MemorySegment status, Consumer<StopEvent> deaths) {
        this.status = status;
        this.deaths = deaths;
    }

    /**
     * Waits until thread {@code tid} stops with a stop of class {@code wanted} and returns it. Any other stop is
     * resumed with {@code others} (PTRACE_CONT, or PTRACE_SYSCALL to keep syscall stops coming); a signal that
     * stops it is held back (see {@link #takeHeldSignal}). Its death ends the wait with ESRCH.
     */
    public <T extends StopEvent> T await(int tid, Class<T> wanted, Resume others) throws ErrnoException {
        return wanted.cast(await(tid, wanted::isInstance, others));
    }

    /** As {@link #await(int, Class, Resume)}, for the first stop {@code wanted} accepts. */
    public StopEvent await(int tid, Predicate<StopEvent> wanted, Resume others) throws ErrnoException {
        while (true) {
            int who = Wait.wait(tid, Wait.WALL, status);
            StopEvent e = WaitStatusDecoder.decode(who, Wait.status(status));
            if (wanted.test(e)) {
                return e;
            }
            switch (e) {
                case StopEvent.Exited x -> {
                    deaths.accept(x);
                    throw new ErrnoException("thread " + tid + " exited (" + x.code() + ") while the tracer drove it",
                            Errno.ESRCH.code);
                }
                case StopEvent.Killed k -> {
                    deaths.accept(k);
                    throw new ErrnoException("thread " + tid + " was killed by signal " + k.signal()
                            + " while the tracer drove it", Errno.ESRCH.code);
                }
                case StopEvent.Signal s -> heldSignal = s.signal();
                default -> {
                }
            }
            if (others instanceof Resume.ToSyscallExit) {
                Ptrace.syscall(tid, 0);
            } else {
                Ptrace.cont(tid, 0);
            }
        }
    }

    /**
     * Waits for any tracee of this thread ({@code __WALL | __WNOTHREAD}) until a stop {@code wanted} accepts, and
     * returns it. For a non-leader thread's exec, whose tid changes to its leader's before the exec event: a wait
     * for the old tid would never end. Deaths go to the loop as usual; any other stop to {@code others}, which
     * must restart it. The death of {@code tid}, or no tracee left at all (it died under its leader's tid, which
     * it had taken), ends the wait with ESRCH, as {@link #await} does.
     */
    public StopEvent awaitAny(int tid, Predicate<StopEvent> wanted, Consumer<StopEvent> others)
            throws ErrnoException {
        while (true) {
            int who;
            try {
                who = Wait.wait(-1, Wait.WALL | Wait.WNOTHREAD, status);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ECHILD.code) {
                    throw new ErrnoException("thread " + tid + " died while the tracer drove it (no tracee left)",
                            Errno.ESRCH.code);
                }
                throw e;
            }
            StopEvent e = WaitStatusDecoder.decode(who, Wait.status(status));
            if (wanted.test(e)) {
                return e;
            }
            if (e.ended()) {
                deaths.accept(e);
                if (who == tid) {
                    throw new ErrnoException("thread " + tid + " died while the tracer drove it", Errno.ESRCH.code);
                }
            } else {
                others.accept(e);
            }
        }
    }

    /** The last signal held back by {@link #await} (0: none); reading it clears it. */
    public int takeHeldSignal() {
        int s = heldSignal;
        heldSignal = 0;
        return s;
    }
}
