package io.jbinfmt.tracer.engine.ptrace;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live tracees by tid. Written only by the tracer thread; the set of live tids may be read by any
 * thread (to kill the tree).
 */
public final class TraceeTable {
    private final Map<Integer, Tracee> byTid = new HashMap<>();
    private final Set<Integer> live = ConcurrentHashMap.newKeySet();

    /** The tracee for {@code tid}, created if it is new: a child may report before its parent's fork event. */
    public Tracee lookupOrCreate(int tid) {
        Tracee t = byTid.get(tid);
        if (t == null) {
            t = new Tracee(tid);
            byTid.put(tid, t);
            live.add(tid);
        }
        return t;
    }

    /** Forgets a thread that exited or was killed; returns its state (null if it was never seen). */
    public Tracee remove(int tid) {
        live.remove(tid);
        return byTid.remove(tid);
    }

    /**
     * After a non-leader thread {@code formerTid} exec'd, it carries on as the leader {@code tgid}: the
     * leader's old state is gone and the exec'ing thread's state moves to the leader's tid.
     */
    public Tracee rekeyOnExec(int formerTid, int tgid) {
        Tracee execing = byTid.remove(formerTid);
        live.remove(formerTid);
        if (execing == null) {
            return lookupOrCreate(tgid);
        }
        execing.rekey(tgid);
        byTid.put(tgid, execing);
        live.add(tgid);
        return execing;
    }

    /** A snapshot of the live tids, safe to read from any thread. */
    public Set<Integer> liveTids() {
        return Set.copyOf(live);
    }
}
