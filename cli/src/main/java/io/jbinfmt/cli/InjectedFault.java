package io.jbinfmt.cli;

import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.StopObserver;

/**
 * A tracer error on demand, to see what a disturbed run looks like from outside (the tests do):
 * {@code JBINFMT_JAVA_OPTS=-Djbinfmt.debug.failAt=KIND[:N]} makes the N-th stop (default 1) of kind KIND
 * ({@code Seccomp}, {@code NewChild}, {@code SyscallStop}, ... as StopEvent names them) fail in the tracer.
 */
final class InjectedFault implements StopObserver {
    private final String kind;
    private final int nth;
    private int seen;

    private InjectedFault(String kind, int nth) {
        this.kind = kind;
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

    @Override
    public void beforeHandling(StopEvent event) {
        if (event.getClass().getSimpleName().equals(kind) && ++seen == nth) {
            throw new IllegalStateException("fault injected by jbinfmt.debug.failAt=" + kind + ":" + nth);
        }
    }
}
