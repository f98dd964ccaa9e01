package io.jbinfmt.cli.report;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Total, median and 95th percentile of some processes' times (ms), over those whose time is known, and how many
 * were not; percentiles as {@link #DEFINITION} says. Median and p95 are NaN when no time is known.
 */
public record TimeSummary(int known, int unknown, double total, double median, double p95) {
    /** How --help states the percentile definition. */
    public static final String DEFINITION = "Medians and 95th percentiles interpolate linearly between the closest ranks "
            + "(definition 7 of Hyndman and Fan, the default of R and NumPy): the p-th percentile of n sorted "
            + "times x[0..n-1] lies at position p/100*(n-1).";

    /** {@code times} with null for each unknown time. */
    static TimeSummary of(List<Double> times) {
        double[] values = times.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        int unknown = times.size() - values.length;
        if (values.length == 0) {
            return new TimeSummary(0, unknown, 0, Double.NaN, Double.NaN);
        }
        Arrays.sort(values);
        double total = 0;
        for (double v : values) {
            total += v;
        }
        return new TimeSummary(values.length, unknown, total, percentile(values, 50), percentile(values, 95));
    }

    /** The {@code p}-th percentile of {@code sorted} (not empty), as {@link #DEFINITION} says. */
    static double percentile(double[] sorted, double p) {
        double at = p / 100 * (sorted.length - 1);
        int below = (int) Math.floor(at);
        if (below >= sorted.length - 1) {
            return sorted[sorted.length - 1];
        }
        return sorted[below] + (at - below) * (sorted[below + 1] - sorted[below]);
    }
}
