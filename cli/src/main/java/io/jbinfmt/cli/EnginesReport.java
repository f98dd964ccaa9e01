package io.jbinfmt.cli;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.EngineProbe;

import java.io.PrintStream;

/**
 * {@code jbinfmt check --engines}: for each engine, whether this host runs a command under it and why (or why
 * not), from a real probe; then which one {@code auto} picks (never kernel: the command would run in a user
 * namespace without being asked to).
 */
final class EnginesReport {
    private EnginesReport() {
    }

    /** Prints one line per engine; returns 0 when some engine can run here, else 125. */
    static int print(PrintStream out) {
        boolean any = false;
        for (EngineProbe.Verdict v : EngineProbe.probeAll()) {
            if (v.engine() == Engine.AUTO) {
                out.println("auto: " + (v.available() ? "picks " + v.ran().spelling() + " (never kernel, which "
                        + "must be asked for)" : "runs nothing here: " + v.why()));
            } else {
                any |= v.available();
                out.println(v.engine().spelling() + ": " + (v.available() ? "available: " : "not available: ")
                        + strip(v.why()));
            }
        }
        return any ? 0 : ExitCodes.USAGE;
    }

    /** The reason without the "asked for; " every engine's choice starts with when named. */
    private static String strip(String why) {
        return why.equals("asked for") ? "works here" : why.startsWith("asked for; ") ? why.substring("asked for; ".length()) : why;
    }
}
