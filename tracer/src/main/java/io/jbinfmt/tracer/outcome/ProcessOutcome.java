package io.jbinfmt.tracer.outcome;

import io.jbinfmt.tracer.rules.Rule;

import java.util.List;

/**
 * How a rewritten process ended: from its rewritten exec to its exit, its death by a signal, or its next rewritten
 * exec (then {@link End#EXECD}: the process runs on as another program, which gets a record of its own).
 *
 * @param pid        the process (its thread-group id)
 * @param execTid    the thread that made the rewritten exec, as the exec's record names it: {@code pid}, unless a
 *                   non-leader thread exec'd (its tid is gone then: the exec gave it the leader's)
 * @param program    the program that was exec'd, as the kernel names it (the exec record's path)
 * @param rules      the rules that rewrote that exec, in order
 * @param end        how the record ends
 * @param exitCode   the exit status, for {@link End#EXITED}
 * @param signal     the signal that killed it, for {@link End#KILLED}
 * @param coreDumped whether that signal dumped core
 * @param wallNanos  wall time from the exec to the end
 * @param userMicros user CPU time of all its threads and the children it reaped, -1 if not measured (an
 *                   {@link End#EXECD} record; see the engines' notes on what each counts)
 * @param sysMicros  system CPU time, likewise
 * @param maxRssKb   peak resident set size in KiB, -1 if not measured
 */
public record ProcessOutcome(int pid, int execTid, byte[] program, List<Rule> rules, End end, int exitCode, int signal,
                             boolean coreDumped, long wallNanos, long userMicros, long sysMicros, long maxRssKb) {

    /** How a record ends. */
    public enum End {
        /** The process exited (normally) with {@code exitCode}. */
        EXITED,
        /** A signal killed it. */
        KILLED,
        /** It exec'd another rewritten program; its CPU time goes to that program's record. */
        EXECD,
        /** It ended, but the kernel could not say how (a notify-engine process on a kernel before 6.15). */
        UNKNOWN
    }

    /** Whether the CPU times were measured. */
    public boolean cpuKnown() {
        return userMicros >= 0 && sysMicros >= 0;
    }

    /** A clean exit with status 0. */
    public boolean succeeded() {
        return end == End.EXITED && exitCode == 0;
    }
}
