package io.jbinfmt.cli.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What {@code jbinfmt diff} shows, computed without any I/O: the processes of two runs matched by program path
 * and argv, the k-th run of a command line in A with the k-th in B; the matches whose outcomes differ (or that
 * one run lacks); and B/A time ratios over matched pairs, per program and per rule.
 */
public record RunDiff(int processesA, int processesB, List<Pair> pairs, List<Times> perRule, List<Times> perProgram,
               Map<String, Set<String>> renamedRules) {

    /** The {@code occurrence}-th run (from 1) of a command line; {@code a} or {@code b} null if that run lacks it. */
    record Pair(ProcessRun.Key key, int occurrence, ProcessRun a, ProcessRun b) {
        boolean matched() {
            return a != null && b != null;
        }

        /** Missing in one run, or ended otherwise: status, exit code or signal (see {@link Outcome#sameAs}). */
        boolean differs() {
            return !matched() || !a.outcome().sameAs(b.outcome());
        }
    }

    /** Times of A and B summed over the matched pairs where both are known, and how many pairs that was. */
    record Sum(int pairs, double a, double b) {
        static final Sum NONE = new Sum(0, 0, 0);

        Sum plus(Double timeA, Double timeB) {
            return timeA == null || timeB == null ? this : new Sum(pairs + 1, a + timeA, b + timeB);
        }

        /** B/A, or null with no pair or a zero A. */
        Double ratio() {
            return pairs == 0 ? null : Figures.ratioValue(b, a);
        }
    }

    /** Wall and CPU sums of the matched pairs of one rule ({@code name}: A's) or of one program ({@code key}). */
    record Times(String name, ProcessRun.Key key, int pairs, Sum wall, Sum cpu) {
        Times plus(Pair p) {
            return new Times(name, key, pairs + 1, wall.plus(p.a().wallMs(), p.b().wallMs()),
                    cpu.plus(p.a().cpuMs(), p.b().cpuMs()));
        }
    }

    public static RunDiff of(ProcessRuns a, ProcessRuns b) {
        List<Pair> pairs = match(a.runs(), b.runs());
        List<Pair> matched = pairs.stream().filter(Pair::matched).toList();
        Map<String, Set<String>> renamed = new TreeMap<>();
        for (Pair p : matched) {
            if (!p.a().rule().equals(p.b().rule())) {
                renamed.computeIfAbsent(p.a().rule(), r -> new TreeSet<>()).add(p.b().rule());
            }
        }
        // Where the runs named their rules alike, A's name is the shared name; where not, it is the one we have.
        List<Times> perRule = sums(matched, p -> p.a().rule(), p -> new Times(p.a().rule(), null, 0, Sum.NONE,
                Sum.NONE), Comparator.comparing(Times::name));
        List<Times> perProgram = sums(matched, Pair::key, p -> new Times(null, p.key(), 0, Sum.NONE, Sum.NONE),
                Comparator.comparing((Times t) -> t.wall().ratio(), Comparator.nullsLast(Comparator.reverseOrder()))
                        .thenComparing(t -> t.key().show()));
        return new RunDiff(a.runs().size(), b.runs().size(), pairs, perRule, perProgram, renamed);
    }

    /** The k-th run of each command line in A paired with the k-th in B: A's order, then what only B ran. */
    static List<Pair> match(List<ProcessRun> a, List<ProcessRun> b) {
        Map<Nth, ProcessRun> inB = new LinkedHashMap<>(); // B's order, for what only B ran
        Map<ProcessRun.Key, Integer> seen = new HashMap<>();
        for (ProcessRun r : b) {
            inB.put(new Nth(r.key(), seen.merge(r.key(), 1, Integer::sum)), r);
        }
        seen.clear();
        List<Pair> pairs = new ArrayList<>();
        for (ProcessRun r : a) {
            int k = seen.merge(r.key(), 1, Integer::sum);
            pairs.add(new Pair(r.key(), k, r, inB.remove(new Nth(r.key(), k))));
        }
        inB.forEach((nth, r) -> pairs.add(new Pair(nth.key(), nth.k(), null, r)));
        return List.copyOf(pairs);
    }

    /** The k-th run of a command line in one log. */
    private record Nth(ProcessRun.Key key, int k) {
    }

    private static <K> List<Times> sums(List<Pair> matched, Function<Pair, K> id, Function<Pair, Times> empty,
                                        Comparator<Times> order) {
        Map<K, Times> m = new LinkedHashMap<>();
        for (Pair p : matched) {
            m.put(id.apply(p), m.getOrDefault(id.apply(p), empty.apply(p)).plus(p));
        }
        return m.values().stream().sorted(order).toList();
    }

    public List<Pair> differences() {
        return pairs.stream().filter(Pair::differs).toList();
    }

    long matched() {
        return pairs.stream().filter(Pair::matched).count();
    }

    long onlyIn(boolean inA) {
        return pairs.stream().filter(p -> inA ? p.b() == null : p.a() == null).count();
    }
}
