package io.jbinfmt.cli.report;

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
public record ProcessRuns(List<ProcessRun> runs, List<String> strayExits, int exitRecords) {
    public static final ProcessRuns NONE = new ProcessRuns(List.of(), List.of(), 0);

    /**
     * Links a log's records: an exit record ends the most recent earlier rewrite exec record of its pid that has
     * no exit yet and names the same path. The path matters because jbinfmt logs an exec when it decides it and
     * an end when it happens: a process that execs a second rewritten program logs that exec before the
     * {@code "status":"exec"} end of the first, and a rewritten exec that failed (a missing interpreter) has no end.
     * Where no open exec of the pid names that path (or the exit names none), the most recent open one of the pid
     * is taken. A rewrite with no exit record is {@link Outcome.Unfinished}.
     */
    static ProcessRuns link(List<LogLine> lines) {
        List<LogRecord.Exec> execs = new ArrayList<>();
        List<LogRecord.Exit> exits = new ArrayList<>();
        Map<Integer, List<Integer>> open = new HashMap<>(); // pid -> its rewrite execs with no exit yet, in order
        List<String> stray = new ArrayList<>();
        int exitRecords = 0;
        for (LogLine line : lines) {
            switch (line.record()) {
                case LogRecord.Exec e when e.rewritten() -> {
                    open.computeIfAbsent(e.pid(), p -> new ArrayList<>()).add(execs.size());
                    execs.add(e);
                    exits.add(null);
                }
                case LogRecord.Exec e -> {
                    // pass and fail: no process of ours starts
                }
                case LogRecord.Exit x -> {
                    exitRecords++;
                    List<Integer> candidates = open.getOrDefault(x.pid(), List.of());
                    int pick = candidates.size() - 1;
                    while (pick >= 0 && x.path() != null && !execs.get(candidates.get(pick)).path().equals(x.path())) {
                        pick--;
                    }
                    if (pick < 0) {
                        pick = candidates.size() - 1;
                    }
                    if (pick < 0) {
                        stray.add(line.where());
                    } else {
                        exits.set(candidates.remove(pick), x);
                    }
                }
            }
        }
        List<ProcessRun> runs = new ArrayList<>();
        for (int i = 0; i < execs.size(); i++) {
            LogRecord.Exec e = execs.get(i);
            LogRecord.Exit x = exits.get(i);
            LogRecord.Rewrite w = (LogRecord.Rewrite) e.decision();
            String rule = String.join(" then ", w.rules());
            runs.add(x == null
                    ? new ProcessRun(e.path(), w.args(), rule, w.interpreter(), new Outcome.Unfinished(), null, null,
                    null)
                    : new ProcessRun(e.path(), w.args(), rule, w.interpreter(), x.outcome(),
                    x.wallMs() == null ? null : x.wallMs().doubleValue(), x.cpuMs(), x.maxRssKb()));
        }
        return new ProcessRuns(List.copyOf(runs), List.copyOf(stray), exitRecords);
    }

    /** Processes but no exit record at all: a log from a jbinfmt that did not write them. */
    boolean lacksExitRecords() {
        return exitRecords == 0 && !runs.isEmpty();
    }

    /** This log's processes followed by {@code other}'s: each log is linked on its own, pids being per run. */
    public ProcessRuns plus(ProcessRuns other) {
        List<ProcessRun> r = new ArrayList<>(runs);
        r.addAll(other.runs);
        List<String> s = new ArrayList<>(strayExits);
        s.addAll(other.strayExits);
        return new ProcessRuns(List.copyOf(r), List.copyOf(s), exitRecords + other.exitRecords);
    }
}
