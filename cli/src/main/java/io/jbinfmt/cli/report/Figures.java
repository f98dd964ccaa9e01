package io.jbinfmt.cli.report;

import java.util.Locale;

/** How report and diff print numbers: counts, ms with one decimal, ratios as 1.23x, "-" where there is no number. */
final class Figures {
    private Figures() {
    }

    /** "1 group", "2 groups": {@code n} and the noun, plural by an s. */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : noun.endsWith("s") ? "es" : "s");
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    static String ms(Double v) {
        return v == null ? "-" : ms(v.doubleValue());
    }

    /** A ratio as "1.23x"; "-" for none. */
    static String ratio(Double r) {
        return r == null ? "-" : String.format(Locale.ROOT, "%.2fx", r);
    }

    /** b/a, or null when a is 0 or either is unknown. */
    static Double ratioValue(Double b, Double a) {
        return a == null || b == null || a == 0 || a.isNaN() || b.isNaN() ? null : b / a;
    }

    /** A JSON number, or null for NaN (JSON has no NaN). */
    static Double json(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
