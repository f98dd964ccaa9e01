package io.jbinfmt.tracer;

import io.jbinfmt.tracer.outcome.ProcessOutcome;

import java.util.List;
import java.util.Map;

/** A command started by {@link TracedProcessBuilder}: wait for it, read its status, and what its tree exec'd. */
public final class TracedProcess implements AutoCloseable {
    private final Session session;
    private final ExecRecorder recorder;
    private ExitStatus status;

    TracedProcess(Session session, ExecRecorder recorder) {
        this.session = session;
        this.recorder = recorder;
    }

    /** The engine that runs the command, and why that one. */
    public Engine.Choice engine() {
        return session.engine();
    }

    public long pid() {
        return session.pid();
    }

    /** Waits for the command and everything it left running; returns its status as a shell reports it. */
    public int waitFor() throws InterruptedException, SpawnException {
        return exitStatus().shellStatus();
    }

    /** Waits, then returns how the command ended. */
    public synchronized ExitStatus exitStatus() throws InterruptedException, SpawnException {
        if (status == null) {
            status = session.waitFor();
        }
        return status;
    }

    /** The execs seen so far (empty unless {@link TracedProcessBuilder#recordExecs} was set). */
    public List<RecordedExec> execs() {
        return recorder.execs();
    }

    /**
     * How the rewritten processes that have ended so far ended (empty unless
     * {@link TracedProcessBuilder#recordOutcomes} was set); all of them once {@link #waitFor} has returned.
     */
    public List<ProcessOutcome> outcomes() {
        return recorder.outcomes();
    }

    /** How many execs the tree made so far. */
    public long execCount() {
        return recorder.total();
    }

    /** How many execs each rule rewrote so far. */
    public Map<String, Long> rewritesPerRule() {
        return recorder.perRule();
    }

    /** Sends {@code signal} to the command. */
    public void signal(int signal) {
        session.signal(signal);
    }

    /** Kills the tree if it is still running. */
    public void destroy() {
        session.close();
    }

    @Override
    public void close() {
        session.close();
    }
}
