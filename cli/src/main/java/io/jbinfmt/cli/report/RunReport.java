package io.jbinfmt.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code jbinfmt report} shows, computed without any I/O: the processes grouped by rule and interpreter,
 * with failures, time statistics and the slowest programs of each group; and what to warn about: exit records
 * of no process, and processes but no exit record at all (a log from before jbinfmt wrote them).
 */
public record RunReport(int processes, List<Group> groups, List<String> strayExits, boolean noExitRecords) {
    /** How many of the slowest programs each group lists. */
    static final int SLOWEST = 5;

    /**
     * One rule (the rules of a chain joined with " then ") run by one interpreter. Failures are the processes
     * that exited non-zero, were killed, or never ended in the log (unfinished); those that exec'd another
     * program did not fail, and those whose end the kernel did not tell ({@code endUnknown}) are counted apart.
     */
    record Group(String rule, String interpreter, int processes, int exitedNonZero, int killed, int unfinished,
                 int endUnknown, TimeSummary wall, TimeSummary cpu, List<ProcessRun> slowest) {
        int failures() {
            return exitedNonZero + killed + unfinished;
        }
    }

    public static RunReport of(ProcessRuns runs) {
        Map<List<String>, List<ProcessRun>> byGroup = new TreeMap<>(
                Comparator.<List<String>, String>comparing(k -> k.get(0)).thenComparing(k -> k.get(1)));
        for (ProcessRun r : runs.runs()) {
            byGroup.computeIfAbsent(List.of(r.rule(), r.interpreter()), k -> new ArrayList<>()).add(r);
        }
        List<Group> groups = new ArrayList<>();
        byGroup.forEach((key, members) -> groups.add(group(key.get(0), key.get(1), members)));
        return new RunReport(runs.runs().size(), List.copyOf(groups), runs.strayExits(),
                runs.lacksExitRecords());
    }

    private static Group group(String rule, String interpreter, List<ProcessRun> members) {
        int nonZero = 0;
        int killed = 0;
        int unfinished = 0;
        int endUnknown = 0;
        for (ProcessRun r : members) {
            switch (r.outcome()) {
                case Outcome.Exited e when e.code() != 0 -> nonZero++;
                case Outcome.Killed k -> killed++;
                case Outcome.Unfinished u -> unfinished++;
                case Outcome.EndUnknown u -> endUnknown++;
                default -> {
                }
            }
        }
        List<ProcessRun> slowest = members.stream().filter(r -> r.wallMs() != null)
                .sorted(Comparator.comparing(ProcessRun::wallMs).reversed()) // stable: ties in exec order
                .limit(SLOWEST).toList();
        return new Group(rule, interpreter, members.size(), nonZero, killed, unfinished, endUnknown,
                TimeSummary.of(members.stream().map(ProcessRun::wallMs).toList()),
                TimeSummary.of(members.stream().map(ProcessRun::cpuMs).toList()), slowest);
    }

    /** Processes that ended without the kernel saying how, in all groups: a report says so, as it cannot judge them. */
    int endUnknown() {
        return groups.stream().mapToInt(Group::endUnknown).sum();
    }

    /** Total known wall time per rule, over all its interpreters, in the groups' order: the chart's bars. */
    Map<String, Double> wallPerRule() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Group g : groups) {
            m.merge(g.rule(), g.wall().total(), Double::sum);
        }
        return m;
    }
}
