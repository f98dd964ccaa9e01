package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.sys.ErrnoException;

/**
 * Decides what happens at each exec stop: the plug-in point between the tracer's mechanism and binfmt
 * semantics. Called on the tracer thread with the tracee stopped; when it returns, the exec goes on.
 */
@FunctionalInterface
public interface ExecPolicy {
    /** Every exec runs as the program asked. */
    ExecPolicy PASSTHROUGH = stop -> {
    };

    void onExec(ExecStop stop) throws ErrnoException;
}
