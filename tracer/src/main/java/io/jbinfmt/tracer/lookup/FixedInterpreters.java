package io.jbinfmt.tracer.lookup;


import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * F rules' interpreters, opened (O_PATH) when the rules are loaded, as the kernel opens them at registration,
 * and held for the session: tracees exec them as /proc/OURPID/fd/N ({@link TraceeFiles#fixedInterpreterPath}), or,
 * where their root is not ours, by a descriptor of the file handed in ({@link TraceeFiles#heldInterpreter}).
 */
final class FixedInterpreters implements AutoCloseable {
    private final Map<Rule, Integer> held = new IdentityHashMap<>();
    /** The held files opened again for reading, on first use ({@link #handable}); -1 where that failed. */
    private final Map<Rule, Integer> reopened = new IdentityHashMap<>();
    private final int selfPid = ProcessCalls.getpid();

    FixedInterpreters(RuleSet rules) {
        for (Rule r : rules.inMatchOrder()) {
            if (r.has(RuleFlag.F)) {
                try {
                    held.put(r, FileCalls.open(FileCalls.AT_FDCWD, r.interpreter(),
                            FileCalls.O_PATH | FileCalls.O_CLOEXEC));
                } catch (ErrnoException e) {
                    // the kernel would have refused the rule (FixBinaryCheck says so at load): run it by path
                }
            }
        }
    }

    /** The held descriptor of {@code rule}'s interpreter, or null (not an F rule, or it could not be opened). */
    Integer descriptor(Rule rule) {
        return held.get(rule);
    }

    /**
     * A descriptor of {@code rule}'s held interpreter that the kernel lets us hand to another process
     * (SECCOMP_IOCTL_NOTIF_ADDFD takes no O_PATH descriptor): the held file itself (moved, replaced or deleted
     * since, the same file) opened again for reading through /proc/self/fd/N, on first use. Null where it cannot
     * be (no held file; we may not read it).
     */
    Integer handable(Rule rule) {
        Integer fd = held.get(rule);
        if (fd == null) {
            return null;
        }
        Integer r = reopened.get(rule);
        if (r == null) {
            try {
                // O_NONBLOCK: an open never waits (the held file is a regular file, as FixBinaryCheck requires)
                r = FileCalls.open(FileCalls.AT_FDCWD, ("/proc/self/fd/" + fd).getBytes(),
                        FileCalls.O_RDONLY | FileCalls.O_NONBLOCK | FileCalls.O_CLOEXEC);
            } catch (ErrnoException e) {
                r = -1;
            }
            reopened.put(rule, r);
        }
        return r >= 0 ? r : null;
    }

    /** The path a tracee that cannot reach the interpreter by its own path execs it by. */
    byte[] throughOurProc(int fd) {
        return ("/proc/" + selfPid + "/fd/" + fd).getBytes();
    }

    @Override
    public void close() {
        held.values().forEach(FileCalls::close);
        held.clear();
        reopened.values().stream().filter(fd -> fd >= 0).forEach(FileCalls::close);
        reopened.clear();
    }
}
