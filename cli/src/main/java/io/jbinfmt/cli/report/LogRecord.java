package io.jbinfmt.cli.report;

import java.util.List;

/** One line of a JSON exec log that report and diff use: an exec record or an exit record. */
sealed interface LogRecord {
    /** Where the record stands, {@code FILE:LINE}, for messages. */
    String where();

    int pid();

    /**
     * An exec the tree made. {@code args} (the argv the caller gave) is null in logs written before it was
     * logged; {@code rules} is empty and {@code interpreter} null unless {@code decision} is "rewrite" (older logs
     * lack "interpreter": then it is the first word of the argv that ran).
     */
    record Exec(String where, int pid, String path, List<String> args, String decision, List<String> rules,
                String interpreter) implements LogRecord {
        boolean rewritten() {
            return decision.equals("rewrite");
        }
    }

    /**
     * The end of a rewritten process; {@code path} is its exec record's (null if the record lacks it). Times are
     * null where the engine could not measure them.
     */
    record Exit(String where, int pid, String path, Outcome outcome, Double wallMs, Double userMs, Double sysMs,
                Long maxRssKb) implements LogRecord {
        /** user + sys, or null unless both are known: a half-known CPU time would pass for a small one. */
        Double cpuMs() {
            return userMs == null || sysMs == null ? null : userMs + sysMs;
        }
    }
}
