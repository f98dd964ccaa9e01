package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.seccomp.ExecFilter;

/**
 * A tracee stopped at the entry of an exec syscall, as handed to an {@link ExecPolicy}.
 *
 * @param tid    the thread about to exec
 * @param traced which ABI and which call (execve or execveat), from the filter's TRACE data
 */
public record ExecStop(int tid, ExecFilter.Traced traced) {
}
