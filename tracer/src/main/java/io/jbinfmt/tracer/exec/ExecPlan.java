package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.rules.Rule;

import java.util.List;

/** What to do with one exec: let it run, fail it, or run something else in its place. */
public sealed interface ExecPlan {

    /** No rule is involved at any level: the kernel does exactly what it would do anyway. */
    record Passthrough() implements ExecPlan {
    }

    /** The kernel would fail the exec with {@code errno}; the tracee gets that, and nothing runs. */
    record Fail(int errno, String why) implements ExecPlan {
    }

    /**
     * Exec {@code path} with {@code argv} (the environment unchanged) instead, then make the new program see what
     * it would have seen under binfmt_misc.
     *
     * @param path           the program to exec: the interpreter of the last rule that applied
     * @param argv           its argv, built as binfmt_misc and binfmt_script would
     * @param env            NAME=value entries to set in its environment (jbinfmt extension; usually empty)
     * @param preserveArgv0  a P rule applied: set AT_FLAGS_PRESERVE_ARGV0 in its auxv
     * @param openBinary     an O/C rule applied: pass this file as AT_EXECFD (null otherwise)
     * @param comm           the process name the kernel would set (basename of the original program), or null
     *                       to keep the one the kernel sets
     * @param filename       the original program as the kernel names it (bprm->filename), for AT_EXECFN
     * @param applied        the rules that applied, in order
     */
    record Rewrite(byte[] path, List<byte[]> argv, List<byte[]> env, boolean preserveArgv0, Target openBinary, byte[] comm,
                   byte[] filename, List<Rule> applied) implements ExecPlan {
    }
}
