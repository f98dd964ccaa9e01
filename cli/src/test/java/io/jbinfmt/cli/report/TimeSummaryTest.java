package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Totals and percentiles of some processes' times, the known ones only. */
class TimeSummaryTest {
    @Test
    void percentilesInterpolateBetweenClosestRanks() {
        // p95 of 1..20 lies at 0.95 * 19 = 18.05 -> 19 + 0.05 * (20 - 19)
        List<Double> times = new ArrayList<>();
        for (int i = 20; i >= 1; i--) {
            times.add((double) i);
        }
        times.add(null);
        TimeSummary s = TimeSummary.of(times);
        assertEquals(10.5, s.median(), 1e-9);
        assertEquals(19.05, s.p95(), 1e-9);
        assertEquals(210, s.total(), 1e-9);
        assertEquals(1, s.unknown());
        assertEquals(new TimeSummary(1, 0, 4, 4, 4), TimeSummary.of(List.of(4.0)));
        TimeSummary none = TimeSummary.of(Arrays.asList(null, null));
        assertEquals(0, none.known());
        assertTrue(Double.isNaN(none.median()));
    }

    @Test
    void percentilesMatchNumPysDefaultOnKnownValues() {
        // numpy.percentile(x, [50, 95]) (linear, R-7): [15, 20, 35, 40, 50] -> 35, 48; [1, 2, 3, 4] -> 2.5, 3.85
        TimeSummary odd = TimeSummary.of(List.of(50.0, 15.0, 40.0, 20.0, 35.0));
        assertEquals(35, odd.median(), 1e-9);
        assertEquals(48, odd.p95(), 1e-9);
        TimeSummary even = TimeSummary.of(List.of(4.0, 3.0, 2.0, 1.0));
        assertEquals(2.5, even.median(), 1e-9);
        assertEquals(3.85, even.p95(), 1e-9);
    }

    @Test
    void theEndsOfTheRangeAreTheSmallestAndLargestTime() {
        double[] sorted = {1, 2, 10};
        assertEquals(1, TimeSummary.percentile(sorted, 0));
        assertEquals(10, TimeSummary.percentile(sorted, 100));
        assertEquals(7, TimeSummary.percentile(new double[] {7}, 95));
    }
}
