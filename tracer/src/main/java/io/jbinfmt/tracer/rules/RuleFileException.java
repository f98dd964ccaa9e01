package io.jbinfmt.tracer.rules;

import java.util.List;
import java.util.stream.Collectors;

/** Every bad line of a rules file; the message has one {@code FILE:LINE:COL: reason} line each. */
public final class RuleFileException extends Exception {
    private final List<RuleSyntaxException> errors;

    public RuleFileException(List<RuleSyntaxException> errors) {
        super(errors.stream().map(Throwable::getMessage).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<RuleSyntaxException> errors() {
        return errors;
    }
}
