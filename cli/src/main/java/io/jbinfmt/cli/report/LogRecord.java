package io.jbinfmt.cli.report;

import java.math.BigDecimal;
import java.util.List;

/**
 * One line of the JSON exec log: an exec record or an exit record, as {@code jbinfmt --log-format json} writes
 * them ({@link LogJson#write}) and report and diff read them ({@link LogJson#read}). Paths, arguments and names
 * are bytes shown as text (UTF-8, each other byte as \xHH, a backslash doubled): kept as they are, never decoded.
 * Times are exact decimals, as written; {@code timeMs} is null in logs written before it was logged.
 */
public sealed interface LogRecord {
    BigDecimal timeMs();

    /** The id of the thread that made the exec: the process's pid unless a non-leader thread exec'd. */
    int pid();

    /** An exec the tree made, and what jbinfmt decided for it. */
    record Exec(BigDecimal timeMs, int pid, String path, Decision decision) implements LogRecord {
        boolean rewritten() {
            return decision instanceof Rewrite;
        }
    }

    /** What an exec became: the kernel's own exec, an error, or the interpreter a rule names. */
    sealed interface Decision {
    }

    /** The exec goes on unchanged. */
    record Pass() implements Decision {
    }

    /** The exec fails with {@code errno} (a name such as ENOEXEC) for {@code reason}. */
    record Fail(String errno, String reason) implements Decision {
    }

    /**
     * Rules rewrote the exec. {@code args}: the argv the caller gave (null in logs written before it was logged);
     * {@code argv}: the one that runs, the interpreter first; {@code preserveArgv0} and {@code execfd}: the rule's
     * P and O flags took effect.
     */
    record Rewrite(List<String> args, List<String> rules, String interpreter, List<String> argv,
                   boolean preserveArgv0, boolean execfd) implements Decision {
    }

    /**
     * The end of a rewritten process. {@code path} and {@code rules} are its exec record's (null in logs written
     * before they were logged); times are null where the engine could not measure them.
     */
    record Exit(BigDecimal timeMs, int pid, String path, List<String> rules, Outcome outcome, BigDecimal wallMs,
                BigDecimal userMs, BigDecimal sysMs, Long maxRssKb) implements LogRecord {
        /** user + sys, or null unless both are known: a half-known CPU time would pass for a small one. */
        Double cpuMs() {
            return userMs == null || sysMs == null ? null : userMs.add(sysMs).doubleValue();
        }
    }
}
