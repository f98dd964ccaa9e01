package io.jbinfmt.tracer.spawn;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A user namespace's uid_map or gid_map: ranges of ids inside it and the ids they stand for in its parent, as
 * /proc/PID/uid_map reads and takes them. Pure. The kernel engine's maps are made from the enclosing namespace's
 * (jbinfmt's own): {@link #identity} keeps every id it has and no other, since the kernel refuses a map any of whose
 * ranges does not lie inside one range of the parent's (kernel/user_namespace.c, map_id_range_down); {@link
 * #whyRefused} says which range or limit a refused map broke.
 *
 * @param ranges the ranges in the order written
 */
public record IdMap(List<Range> ranges) {
    /** Ranges a map may have (UID_GID_MAP_MAX_EXTENTS, Linux 4.15 on). */
    public static final int MAX_RANGES = 340;

    /**
     * One line of a map: ids {@code inside .. inside+count-1} of the namespace stand for {@code outside ..} of its
     * parent. Ids are unsigned 32-bit, held in longs.
     */
    public record Range(long inside, long outside, long count) {
        public Range {
            if (inside < 0 || outside < 0 || count < 1 || inside + count > 1L << 32 || outside + count > 1L << 32) {
                throw new IllegalArgumentException("not an id range: " + inside + " " + outside + " " + count);
            }
        }

        /** The line, as a map file takes it. */
        public String line() {
            return inside + " " + outside + " " + count;
        }

        /** Whether ids {@code first .. first+n-1} all lie in this range's inside ids. */
        boolean holds(long first, long n) {
            return first >= inside && first + n <= inside + count;
        }
    }

    public IdMap {
        ranges = List.copyOf(ranges);
    }

    /** The map {@code /proc/PID/uid_map} (or gid_map) reads as ({@code text}: one "inside outside count" a line). */
    public static IdMap parse(String text) {
        List<Range> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 1 && f[0].isEmpty()) {
                continue;
            }
            if (f.length != 3) {
                throw new IllegalArgumentException("not a map line: \"" + line + "\"");
            }
            out.add(new Range(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
        return new IdMap(out);
    }

    /** One id mapped to one id: the unprivileged user's map. */
    public static IdMap single(long inside, long outside) {
        return new IdMap(List.of(new Range(inside, outside, 1)));
    }

    /**
     * The map of a child namespace that keeps exactly this namespace's ids: each range's inside ids mapped to
     * themselves. In the initial namespace that is "0 0 4294967295"; under {@code unshare -r}, "0 0 1".
     */
    public IdMap identity() {
        return new IdMap(ranges.stream().map(r -> new Range(r.inside(), r.inside(), r.count())).toList());
    }

    /** Whether this is the initial namespace's map (every id, as itself). */
    public boolean isWhole() {
        return ranges.size() == 1 && ranges.getFirst().equals(new Range(0, 0, 0xFFFF_FFFFL));
    }

    /** The map as written to a map file: its lines, each ended by a newline. */
    public String text() {
        return ranges.stream().map(r -> r.line() + "\n").collect(Collectors.joining());
    }

    /** The map on one line, its ranges separated by ", " ("empty" for none): for messages. */
    public String summary() {
        return ranges.isEmpty() ? "empty" : ranges.stream().map(Range::line).collect(Collectors.joining(", "));
    }

    /** Whether {@code id} is one of the ids inside this map's namespace. */
    public boolean maps(long id) {
        return ranges.stream().anyMatch(r -> r.holds(id, 1));
    }

    /**
     * The first range of this map, written for a child of the namespace whose own map is {@code parent}, that the
     * kernel refuses because its outside ids do not all lie inside one of {@code parent}'s ranges; null if none.
     */
    public Range outside(IdMap parent) {
        for (Range r : ranges) {
            if (parent.ranges().stream().noneMatch(p -> p.holds(r.outside(), r.count()))) {
                return r;
            }
        }
        return null;
    }

    /**
     * Why the kernel would refuse this map, written as {@code file} ("uid_map", "gid_map") of a child of the namespace
     * whose own map is {@code parent}, by a writer with pages of {@code pageSize} bytes: a range outside the parent's,
     * too many ranges, too many bytes, or overlapping ranges; null when it breaks none of these rules.
     */
    public String whyRefused(String file, IdMap parent, long pageSize) {
        if (ranges.size() > MAX_RANGES) {
            return "the " + file + " has " + ranges.size() + " ranges, and the kernel takes " + MAX_RANGES
                    + " at most; jbinfmt's own namespace has that many";
        }
        int bytes = text().length();
        if (bytes >= pageSize) {
            return "the " + file + " is " + bytes + " bytes, and the kernel takes less than a page (" + pageSize
                    + ") in one write";
        }
        Range out = outside(parent);
        if (out != null) {
            return "its range \"" + out.line() + "\" maps ids " + span(out.outside(), out.count())
                    + ", which jbinfmt's own user namespace does not map as one range (its " + file + ": "
                    + parent.summary() + "), and the kernel refuses any range that reaches outside the parent's";
        }
        for (int i = 0; i < ranges.size(); i++) {
            for (int j = i + 1; j < ranges.size(); j++) {
                Range a = ranges.get(i);
                Range b = ranges.get(j);
                if (overlap(a.inside(), a.count(), b.inside(), b.count())
                        || overlap(a.outside(), a.count(), b.outside(), b.count())) {
                    return "its ranges \"" + a.line() + "\" and \"" + b.line() + "\" overlap";
                }
            }
        }
        return null;
    }

    private static boolean overlap(long a, long n, long b, long m) {
        return a < b + m && b < a + n;
    }

    private static String span(long first, long count) {
        return count == 1 ? Long.toString(first) : first + "-" + (first + count - 1);
    }
}
