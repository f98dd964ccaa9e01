package io.jbinfmt.tracer.rules;

/** A register line the kernel would refuse (EINVAL), with where and why. */
public final class RuleSyntaxException extends Exception {
    private final RuleSource source;
    private final int column;
    private final String reason;

    public RuleSyntaxException(RuleSource source, int column, String reason) {
        super(source + ":" + column + ": " + reason);
        this.source = source;
        this.column = column;
        this.reason = reason;
    }

    public RuleSource source() {
        return source;
    }

    /** 1-based byte column in the line. */
    public int column() {
        return column;
    }

    public String reason() {
        return reason;
    }
}
