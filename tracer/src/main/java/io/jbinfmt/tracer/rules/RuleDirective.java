package io.jbinfmt.tracer.rules;

/**
 * A jbinfmt extension line in a rules file, a comment to systemd-binfmt and the kernel:
 * <pre>
 *   #jbinfmt:arg NAME VALUE     append VALUE (the rest of the line, verbatim) to rule NAME's interpreter arguments
 *   #jbinfmt:env NAME KEY=VALUE set KEY in the environment rule NAME's interpreter runs with
 * </pre>
 * Extra arguments go right after the interpreter's name: {@code [interpreter, extra..., path, argv[1], ...]}.
 *
 * @param source where it was written
 * @param kind   arg or env
 * @param rule   the name of the rule it extends
 * @param value  the argument, or the KEY=VALUE entry
 */
public record RuleDirective(RuleSource source, Kind kind, String rule, byte[] value) {
    /** What a directive adds. */
    public enum Kind { ARG, ENV }

    static final String PREFIX = "#jbinfmt:";

    /** Applies this directive to {@code r}. */
    public Rule applyTo(Rule r) {
        return kind == Kind.ARG ? r.withExtraArg(value) : r.withExtraEnv(value);
    }
}
