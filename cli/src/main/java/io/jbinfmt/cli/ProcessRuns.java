package io.jbinfmt.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rewritten processes of one or more logs, in the order they were exec'd, each linked to its exit record;
 * the exit records that belong to no process ({@code FILE:LINE} each), and how many exit records there were at
 * all (none: a log from before they were written, in which every process looks unfinished), which report and
 * diff mention.
 */
record ProcessRuns(List<ProcessRun> runs, List<String> strayExits, int exitRecords) {
    static final ProcessRuns NONE = new ProcessRuns(List.of(), List.of(), 0);


    /**
     * Links a log's records: an exit record belongs to the most recent earlier rewrite exec record with the same
     * pid (a pid is reused, and a process that exec'd another program may be rewritten again), unless that one
     * has its exit already. A rewrite with no exit record is {@link Outcome.Unfinished}.
     */
    static ProcessRuns link(List<LogRecord> records) {
        List<LogRecord.Exec> execs = new ArrayList<>();
        List<LogRecord.Exit> exits = new ArrayList<>();
        Map<Integer, Integer> latest = new HashMap<>(); // pid -> index of its most recent rewrite exec
        List<String> stray = new ArrayList<>();
        int exitRecords = 0;
        for (LogRecord r : records) {
            switch (r) {
                case LogRecord.Exec e when e.rewritten() -> {
                    latest.put(e.pid(), execs.size());
                    execs.add(e);
                    exits.add(null);
                }
                case LogRecord.Exec e -> {
                    // pass and fail: no process of ours starts
                }
                case LogRecord.Exit x -> {
                    exitRecords++;
                    Integer i = latest.get(x.pid());
                    if (i == null || exits.get(i) != null) {
                        stray.add(x.where());
                    } else {
                        exits.set(i, x);
                    }
                }
            }
        }
        List<ProcessRun> runs = new ArrayList<>();
        for (int i = 0; i < execs.size(); i++) {
            LogRecord.Exec e = execs.get(i);
            LogRecord.Exit x = exits.get(i);
            String rule = String.join(" then ", e.rules());
            runs.add(x == null
                    ? new ProcessRun(e.path(), e.args(), rule, e.interpreter(), new Outcome.Unfinished(), null, null,
                    null)
                    : new ProcessRun(e.path(), e.args(), rule, e.interpreter(), x.outcome(), x.wallMs(), x.cpuMs(),
                    x.maxRssKb()));
        }
        return new ProcessRuns(List.copyOf(runs), List.copyOf(stray), exitRecords);
    }

    /** Processes but no exit record at all: a log from a jbinfmt that did not write them. */
    boolean lacksExitRecords() {
        return exitRecords == 0 && !runs.isEmpty();
    }

    /** This log's processes followed by {@code other}'s: each log is linked on its own, pids being per run. */
    ProcessRuns plus(ProcessRuns other) {
        List<ProcessRun> r = new ArrayList<>(runs);
        r.addAll(other.runs);
        List<String> s = new ArrayList<>(strayExits);
        s.addAll(other.strayExits);
        return new ProcessRuns(List.copyOf(r), List.copyOf(s), exitRecords + other.exitRecords);
    }
}
