package io.jbinfmt.cli;

import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.StopObserver;
import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rewrite.RewriteStep;

import java.util.Arrays;

/**
 * A tracer error on demand, to see what a disturbed run looks like from outside (the tests do):
 * {@code JBINFMT_JAVA_OPTS=-Djbinfmt.debug.failAt=KIND[:N]} fails the tracer at the N-th (default 1) occurrence of
 * KIND: a step of a rewrite under either user-space engine ({@code seize}, {@code interrupt}, {@code answer},
 * {@code argv-write}, {@code restart}, {@code exec-event}, {@code fixup}, {@code detach}: see {@link RewriteStep}),
 * or a stop of the ptrace engine as StopEvent names it ({@code Seccomp}, {@code NewChild}, {@code SyscallStop},
 * ...), which pins that engine.
 */
final class InjectedFault implements StopObserver, RewriteFaults {
    private final String kind;
    private final RewriteStep step;
    private final int nth;
    private int seen;

    private InjectedFault(String kind, int nth) {
        this.kind = kind;
        this.step = Arrays.stream(RewriteStep.values()).filter(s -> s.specName().equals(kind)).findFirst()
                .orElse(null);
        this.nth = nth;
    }

    /** The fault the system property asks for, or null. */
    static InjectedFault fromSystemProperty() {
        String spec = System.getProperty("jbinfmt.debug.failAt");
        if (spec == null || spec.isEmpty()) {
            return null;
        }
        int colon = spec.indexOf(':');
        return colon < 0 ? new InjectedFault(spec, 1)
                : new InjectedFault(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
    }

    /** This fault as a stop observer (a ptrace stop's kind), or null when it names a rewrite step. */
    StopObserver asObserver() {
        return step == null ? this : null;
    }

    /** This fault at a rewrite step, or no fault when it names a ptrace stop. */
    RewriteFaults asRewriteFaults() {
        return step != null ? this : RewriteFaults.NONE;
    }

    @Override
    public void beforeHandling(StopEvent event) {
        if (event.getClass().getSimpleName().equals(kind) && ++seen == nth) {
            throw injected();
        }
    }

    @Override
    public void before(RewriteStep s) {
        if (s == step && ++seen == nth) {
            throw injected();
        }
    }

    private IllegalStateException injected() {
        return new IllegalStateException("fault injected by jbinfmt.debug.failAt=" + kind + ":" + nth);
    }
}
