package io.jbinfmt.tracer.outcome;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.sys.Wait;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The rewritten processes of one session that have not ended yet, keyed by thread-group id, and the outcome
 * records their ends make. Pure bookkeeping, shared by both engines (each reads the kernel its own way and tells
 * this book); used on the tracer thread only.
 */
public final class OutcomeBook {
    private record Started(int execTid, byte[] program, List<Rule> rules, long atNanos) {
    }

    private final Map<Integer, Started> running = new HashMap<>();
    private final LongSupplier clock;

    /** @param clock nanoseconds, as System::nanoTime */
    public OutcomeBook(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Process {@code pid} now runs {@code program}, a rewritten exec that has succeeded, made by thread
     * {@code execTid}. Returns the record this ends, when the process was running an earlier rewritten program
     * ({@link ProcessOutcome.End#EXECD}), else null.
     */
    public ProcessOutcome started(int pid, int execTid, byte[] program, List<Rule> rules) {
        long now = clock.getAsLong();
        Started before = running.put(pid, new Started(execTid, program, rules, now));
        if (before == null) {
            return null;
        }
        return new ProcessOutcome(pid, before.execTid, before.program, before.rules, ProcessOutcome.End.EXECD, 0, 0, false,
                now - before.atNanos, -1, -1, -1);
    }

    /** Whether {@code pid} is a rewritten process that has not ended. */
    public boolean tracks(int pid) {
        return running.containsKey(pid);
    }

    /**
     * Process {@code pid} has ended as a wait status says ({@code waitStatus}, or -1 when unknown); returns its
     * record, or null when it is not one of ours.
     *
     * @param userMicros CPU times and peak RSS as measured, -1 for what was not
     */
    public ProcessOutcome ended(int pid, int waitStatus, long userMicros, long sysMicros, long maxRssKb) {
        Started s = running.remove(pid);
        if (s == null) {
            return null;
        }
        long wall = clock.getAsLong() - s.atNanos;
        if (waitStatus < 0) {
            return new ProcessOutcome(pid, s.execTid, s.program, s.rules, ProcessOutcome.End.UNKNOWN, 0, 0, false, wall,
                    userMicros, sysMicros, maxRssKb);
        }
        if (Wait.exited(waitStatus)) {
            return new ProcessOutcome(pid, s.execTid, s.program, s.rules, ProcessOutcome.End.EXITED, Wait.exitCode(waitStatus),
                    0, false, wall, userMicros, sysMicros, maxRssKb);
        }
        return new ProcessOutcome(pid, s.execTid, s.program, s.rules, ProcessOutcome.End.KILLED, 0, Wait.termSignal(waitStatus),
                Wait.coreDumped(waitStatus), wall, userMicros, sysMicros, maxRssKb);
    }
}
