package io.jbinfmt.tracer.rewrite;

/**
 * Fault injection for tests (and for users who want to see what a disturbed run looks like): called on the tracer
 * thread before each {@link RewriteStep} of every rewrite; an exception it throws is handled as a tracer error at
 * that step would be.
 */
@FunctionalInterface
public interface RewriteFaults {
    /** Called before {@code step}; throws to inject a failure there. */
    void before(RewriteStep step);

    /** Injects nothing. */
    RewriteFaults NONE = step -> { };
}
