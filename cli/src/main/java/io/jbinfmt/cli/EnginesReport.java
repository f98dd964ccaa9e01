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
        String yama = yama(io.jbinfmt.tracer.spawn.HostRefusal.Facts.read(false).yamaScope(),
                io.jbinfmt.tracer.sys.ProcessCalls.geteuid() == 0);
        if (yama != null) {
            out.println(yama);
        }
        return any ? 0 : ExitCodes.USAGE;
    }

    /**
     * What Yama's ptrace_scope ({@code scope}; -1: no Yama) lets work, or null when it restricts nothing (0, none).
     * At 1 a process may ptrace only its descendants: jbinfmt's rewrites reach every process of the tree because
     * orphans are reparented to the notify engine's guard, a child subreaper under jbinfmt.
     */
    static String yama(int scope, boolean root) {
        return switch (scope) {
            case 1 -> "yama: kernel.yama.ptrace_scope is 1 (only descendants may be traced): every engine works; "
                    + "under notify, daemons the command leaves stay descendants of jbinfmt (their parent is "
                    + "jbinfmt-guard, a child subreaper), so their foreign execs are rewritten too; in the tree, "
                    + "strace and gdb may trace what they start, not attach to other processes (-p), as without "
                    + "jbinfmt";
            case 2 -> "yama: kernel.yama.ptrace_scope is 2 (only with CAP_SYS_PTRACE): " + (root
                    ? "as root every engine works, as at 1" : "as a user no engine runs (each sets the command up "
                    + "by ptrace); give jbinfmt CAP_SYS_PTRACE or set kernel.yama.ptrace_scope=1");
            case 3 -> "yama: kernel.yama.ptrace_scope is 3 (no ptrace at all): no engine runs (each sets the command "
                    + "up by ptrace)";
            default -> null;
        };
    }

    /** The reason without the "asked for; " every engine's choice starts with when named. */
    private static String strip(String why) {
        return why.equals("asked for") ? "works here" : why.startsWith("asked for; ") ? why.substring("asked for; ".length()) : why;
    }
}
