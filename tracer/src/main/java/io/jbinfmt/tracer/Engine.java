package io.jbinfmt.tracer;

import java.util.Locale;

/** Which mechanism intercepts the tree's execs. */
public enum Engine {
    /** Notify where this host allows it, else ptrace; {@link Session#engine()} says which ran and why. */
    AUTO,
    /** Every process of the tree is ptrace'd; execs stop at a seccomp TRACE filter. Works wherever ptrace does. */
    PTRACE,
    /**
     * Execs go to a seccomp user-notification listener; only a rewritten exec's thread is ptrace'd, until its exec
     * is done. Forks, threads and signals cost nothing, and programs in the tree may use ptrace. Needs Linux 6.0+;
     * any user: the tree is held by a guard process, the command's parent and a child subreaper, which kills it if
     * jbinfmt dies (or, where the guard cannot run, by a cgroup).
     */
    NOTIFY,
    /**
     * The rules are registered in a private binfmt_misc, in new user and mount namespaces made for the command
     * (Linux 6.7+, user namespaces allowed): the kernel itself runs every exec, at its own cost, and nothing is
     * traced after the command's exec, so no exec is seen (no listener, no stop observer). The command runs in a
     * user namespace: as root, with exactly the ids of jbinfmt's own namespace, each as itself (on the host, the
     * host's; in a user namespace, its ranges); as a user, as itself with no capabilities. Never chosen by
     * {@link #AUTO}.
     */
    KERNEL;

    /** The variable that sets the default engine for sessions whose options do not name one. */
    public static final String ENVIRONMENT_VARIABLE = "JBINFMT_ENGINE";

    /** The engine named {@code name} (auto, ptrace, notify, kernel; any case). */
    public static Engine parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown engine '" + name + "' (auto, ptrace, notify or kernel)");
        }
    }

    /** The default: {@code $JBINFMT_ENGINE} if set (and valid), else {@link #AUTO}. */
    public static Engine fromEnvironment() {
        String v = System.getenv(ENVIRONMENT_VARIABLE);
        return v == null || v.isBlank() ? AUTO : parse(v);
    }

    /** The lower-case name, as the CLI spells it. */
    public String spelling() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The engine a session runs, and why that one.
     *
     * @param engine {@link #PTRACE}, {@link #NOTIFY} or {@link #KERNEL}
     * @param why    one line for {@code -v}
     */
    public record Choice(Engine engine, String why) {
    }
}
