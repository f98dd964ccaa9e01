package io.jbinfmt.tracer;

import java.util.List;

/**
 * One exec of a traced tree, as {@link TracedProcess#execs()} gives it.
 *
 * @param pid      the thread that exec'd
 * @param path     the program as the exec named it
 * @param decision pass, fail or rewrite
 * @param rules    the rules that applied (rewrite only)
 * @param argv     the argv that ran instead (rewrite only)
 */
public record RecordedExec(int pid, byte[] path, String decision, List<String> rules, List<byte[]> argv) {
}
