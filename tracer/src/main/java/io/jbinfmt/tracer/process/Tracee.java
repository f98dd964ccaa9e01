package io.jbinfmt.tracer.process;

/** Per-thread tracer state. Holds no policy; owned by the tracer thread. */
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

    @Override
    public String toString() {
        return "Tracee[" + tid + " " + phase + "]";
    }
}
