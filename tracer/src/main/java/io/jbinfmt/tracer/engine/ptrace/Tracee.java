package io.jbinfmt.tracer.engine.ptrace;


/**
 * Per-thread tracer state, all of it in one place: its phase, whether it is threaded, and the exec being
 * rewritten. Holds no policy; owned by the tracer thread.
 */
public final class Tracee {
    /** Where a tracee is in its life, as far as the tracer cares. */
    public enum Phase {
        /** Runs freely; exec stops go through the policy. */
        RUNNING,
        /** The root before the command's own exec: the exec's outcome must be watched (it may fail). */
        SPAWNING,
        /** The root resumed into the command's exec with PTRACE_SYSCALL: its exit stop tells success or errno. */
        SPAWN_EXEC_ENTERED
    }

    private int tid;
    private Phase phase = Phase.RUNNING;
    private boolean threaded;
    private RewriteInFlight rewrite;
    /** Pages mapped in it for a rewritten argv its stack had no room for, or 0. */
    private long scratchPage;
    /** Its descriptor of an F interpreter handed in for the exec it makes again, or -1. */
    private int handedIn = -1;

    Tracee(int tid) {
        this.tid = tid;
    }

    public int tid() {
        return tid;
    }

    void rekey(int newTid) {
        this.tid = newTid;
    }

    public Phase phase() {
        return phase;
    }

    public void phase(Phase phase) {
        this.phase = phase;
    }

    /**
     * Whether this thread's process may have several threads (it or a sibling took part in a thread-creating
     * clone): only then can an exec change the thread's tid, which rewriting must then watch for.
     */
    public boolean threaded() {
        return threaded;
    }

    public void markThreaded() {
        threaded = true;
    }

    /** The rewritten exec whose exit stop is due, or null. */
    public RewriteInFlight rewrite() {
        return rewrite;
    }

    public void rewrite(RewriteInFlight rewrite) {
        this.rewrite = rewrite;
    }

    /** Takes the scratch pages mapped for the next rewrite (0 if none): they serve once. */
    public long takeScratchPage() {
        long p = scratchPage;
        scratchPage = 0;
        return p;
    }

    public void scratchPage(long address) {
        this.scratchPage = address;
    }

    /** Takes the F interpreter handed in for the next rewrite (-1 if none): it serves once. */
    public int takeHandedIn() {
        int fd = handedIn;
        handedIn = -1;
        return fd;
    }

    public void handedIn(int fd) {
        this.handedIn = fd;
    }

    @Override
    public String toString() {
        return "Tracee[" + tid + " " + phase + "]";
    }
}
