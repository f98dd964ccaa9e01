package io.jbinfmt.tracer.policy;

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
     * @param pathElfMachine the ELF e_machine of {@code path} when it is an ELF file that ends the chain (the
     *                       kernel loads it without passing on the name it was exec'd by), else -1 (a script)
     * @param callerArgv     the argv the exec was called with (for logs: what ran, whatever ran it)
     * @param nonDumpable    the exec'ing process may not read {@code openBinary}: the kernel makes the new
     *                       program non-dumpable then (would_dump), and so must we
     */
    record Rewrite(byte[] path, List<byte[]> argv, List<byte[]> env, boolean preserveArgv0, Target openBinary, byte[] comm,
                   byte[] filename, List<Rule> applied, int pathElfMachine, List<byte[]> callerArgv,
                   boolean nonDumpable)
            implements ExecPlan {
        /** The same exec, of the same file by another name {@code path}, under which the kernel names it {@code comm}. */
        public Rewrite execdAs(byte[] path, byte[] comm) {
            return new Rewrite(path, argv, env, preserveArgv0, openBinary, comm, filename, applied, pathElfMachine,
                    callerArgv, nonDumpable);
        }

        /** The same, with {@code argv} and {@code env}. */
        public Rewrite withArgv(List<byte[]> argv, List<byte[]> env) {
            return new Rewrite(path, argv, env, preserveArgv0, openBinary, comm, filename, applied, pathElfMachine,
                    callerArgv, nonDumpable);
        }

        /** The same, with the executable's file passed on to the interpreter ({@code unreadable} by the caller). */
        Rewrite withOpenBinary(Target openBinary, boolean unreadable) {
            return new Rewrite(path, argv, env, preserveArgv0, openBinary, comm, filename, applied, pathElfMachine,
                    callerArgv, unreadable);
        }

        /** The same, knowing that {@code path} is an ELF file of machine {@code machine}. */
        Rewrite withPathElfMachine(int machine) {
            return new Rewrite(path, argv, env, preserveArgv0, openBinary, comm, filename, applied, machine,
                    callerArgv, nonDumpable);
        }
    }
}
