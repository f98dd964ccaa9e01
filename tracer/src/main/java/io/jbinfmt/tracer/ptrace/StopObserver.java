package io.jbinfmt.tracer.ptrace;

/**
 * Sees every stop of a session's tracees before the tracer handles it, on the tracer thread, with the tracee
 * still stopped: for diagnostics and fault-injection tests (kill a tracee at a chosen kind of stop). It must be
 * quick, and never restart the tracee itself; an exception it throws counts as a tracer error (the run is then
 * reported as disturbed) and the stop is handled as usual.
 */
@FunctionalInterface
public interface StopObserver {
    void beforeHandling(StopEvent event);
}
