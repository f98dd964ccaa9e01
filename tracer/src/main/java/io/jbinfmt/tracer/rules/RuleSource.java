package io.jbinfmt.tracer.rules;

/**
 * Where a rule was defined, for messages and for {@code jbinfmt rules}.
 *
 * @param file a file name, or a description such as "--rule"
 * @param line 1-based line number, or 0 when the source has no lines
 */
public record RuleSource(String file, int line) {
    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file;
    }
}
