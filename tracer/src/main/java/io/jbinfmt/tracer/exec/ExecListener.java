package io.jbinfmt.tracer.exec;

/** Told of every exec the tracer decides on (for logs and statistics); called on the tracer thread. */
@FunctionalInterface
public interface ExecListener {
    void onExec(ExecRequest request, ExecPlan plan);
}
