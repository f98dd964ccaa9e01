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

    @Override
    public String toString() {
        return "Tracee[" + tid + " " + phase + "]";
    }
}
