package io.jbinfmt.cli;

/**
 * {@code -Djbinfmt.debug.timing=true}: prints when each start-up step was reached, in ms on the monotonic clock
 * (CLOCK_MONOTONIC, which System.nanoTime reads on Linux), so that whoever started jbinfmt can place each step
 * against the moment it spawned it ({@code TIMELINE=1 bench/startup.sh}). Cheap: no clock but that one is read.
 */
final class StartupTiming {
    private static final boolean ON = Boolean.getBoolean("jbinfmt.debug.timing");

    private StartupTiming() {
    }

    static void mark(String step) {
        if (ON) {
            long now = System.nanoTime();
            // a StringBuilder, not +: the first string concatenation links a call site (~10 ms, a spun class),
            // which would be counted in the step measured
            System.err.println(new StringBuilder("jbinfmt: timing: ").append(now / 1_000_000).append('.')
                    .append(now / 100_000 % 10).append(" ms: ").append(step));
        }
    }
}
