package io.jbinfmt.cli;

import io.jbinfmt.tracer.Engine;

/**
 * The run options that need to see execs, and the engine that sees none: under {@code --engine kernel} the
 * kernel's binfmt_misc runs every exec and jbinfmt hears of none, so {@code --log} and {@code --stats} would
 * report nothing; they are refused rather than silently empty. {@code -v} only says which engine runs.
 */
final class UnseenExecs {
    private UnseenExecs() {
    }

    /** The one-line refusal for these options under {@code engine}, or null when they can run. */
    static String refusal(Engine engine, boolean log, boolean stats) {
        if (engine != Engine.KERNEL || (!log && !stats)) {
            return null;
        }
        String option = log && stats ? "--log and --stats need" : log ? "--log needs" : "--stats needs";
        return "jbinfmt: --engine kernel: " + option + " to see the tree's execs, and under this engine the "
                + "kernel runs them unseen; use --engine notify or ptrace for them";
    }
}
