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
 * and held for the session: tracees exec them as /proc/OURPID/fd/N ({@link TraceeFiles#fixedInterpreterPath}).
 */
final class FixedInterpreters implements AutoCloseable {
    private final Map<Rule, Integer> held = new IdentityHashMap<>();
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

    /** The path a tracee that cannot reach the interpreter by its own path execs it by. */
    byte[] throughOurProc(int fd) {
        return ("/proc/" + selfPid + "/fd/" + fd).getBytes();
    }

    @Override
    public void close() {
        held.values().forEach(FileCalls::close);
        held.clear();
    }
}
