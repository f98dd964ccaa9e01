package io.jbinfmt.cli.report;

/** How one rewritten process ended, as its exit record says (or {@link Unfinished} when the log has none). */
public sealed interface Outcome {
    /** It exited with this code. */
    record Exited(int code) implements Outcome {
    }

    /** A signal killed it; {@code core}: the kernel dumped core. */
    record Killed(String signal, boolean core) implements Outcome {
    }

    /** It exec'd another program: the process goes on, but the program we rewrote ended there. */
    record ExecdAnother() implements Outcome {
    }

    /** The log has no exit record for it: jbinfmt was killed, or the run was cut short. */
    record Unfinished() implements Outcome {
    }

    /** It ended, but the kernel did not say how (the notify engine before Linux 6.15): neither failed nor passed. */
    record EndUnknown() implements Outcome {
    }

    /** A failure for report and diff: a non-zero exit, a signal, or no end at all. */
    default boolean failed() {
        return switch (this) {
            case Exited e -> e.code() != 0;
            case Killed k -> true;
            case ExecdAnother x -> false;
            case Unfinished u -> true;
            case EndUnknown u -> false;
        };
    }

    /** Short words for a table cell: "exited 0", "killed by SIGSEGV (core)", "unfinished", ... */
    default String describe() {
        return switch (this) {
            case Exited e -> "exited " + e.code();
            case Killed k -> "killed by " + k.signal() + (k.core() ? " (core)" : "");
            case ExecdAnother x -> "exec'd another program";
            case Unfinished u -> "unfinished";
            case EndUnknown u -> "ended, how unknown";
        };
    }

    /**
     * Whether two runs of a program ended the same way: status, exit code and signal. Whether a core was dumped
     * is left out, as it depends on the limits of the run rather than on the program.
     */
    default boolean sameAs(Outcome other) {
        return switch (this) {
            case Killed k -> other instanceof Killed o && o.signal().equals(k.signal());
            default -> equals(other);
        };
    }
}
