package io.jbinfmt.tracer.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects rules from several sources in registration order, then applies the jbinfmt directives to the rules
 * they name. A directive naming no rule is an error, reported with its file and line.
 */
public final class RuleSetBuilder {
    private final List<Rule> rules = new ArrayList<>();
    private final List<RuleDirective> directives = new ArrayList<>();

    public RuleSetBuilder add(Rule rule) {
        rules.add(rule);
        return this;
    }

    public RuleSetBuilder add(RuleFile.Contents contents) {
        rules.addAll(contents.rules());
        directives.addAll(contents.directives());
        return this;
    }

    public RuleSet build() throws RuleFileException {
        RuleSet registered = RuleSet.registered(rules);
        List<Rule> order = new ArrayList<>(registered.inMatchOrder());
        List<RuleSyntaxException> errors = new ArrayList<>();
        for (RuleDirective d : directives) {
            int i = indexOf(order, d.rule());
            if (i < 0) {
                errors.add(new RuleSyntaxException(d.source(), 1, "no rule named '" + d.rule() + "'"));
            } else {
                order.set(i, d.applyTo(order.get(i)));
            }
        }
        if (!errors.isEmpty()) {
            throw new RuleFileException(errors);
        }
        return RuleSet.inMatchOrder(order);
    }

    private static int indexOf(List<Rule> order, String name) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
