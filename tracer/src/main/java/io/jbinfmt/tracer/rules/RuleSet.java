package io.jbinfmt.tracer.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The rules in effect, in the kernel's match order: the most recently registered first (list_add at the head),
 * and a rule registered under an existing name replaces it (as systemd-binfmt does, writing -1 to the old entry
 * before registering). Immutable.
 */
public final class RuleSet {
    private static final RuleSet EMPTY = new RuleSet(List.of());

    private final List<Rule> matchOrder;

    private RuleSet(List<Rule> matchOrder) {
        this.matchOrder = List.copyOf(matchOrder);
    }

    public static RuleSet empty() {
        return EMPTY;
    }

    /** The set that registering {@code rules} one by one, in this order, leaves. */
    public static RuleSet registered(List<Rule> rules) {
        List<Rule> order = new ArrayList<>();
        for (Rule r : rules) {
            order.removeIf(old -> old.name().equals(r.name()));
            order.addFirst(r);
        }
        return new RuleSet(order);
    }

    /** A set whose match order is {@code order} as given. */
    static RuleSet inMatchOrder(List<Rule> order) {
        return new RuleSet(order);
    }

    /** This set without {@code rules} (compared by identity), the others in the same order. */
    public RuleSet without(java.util.Collection<Rule> rules) {
        List<Rule> kept = new ArrayList<>(matchOrder);
        kept.removeIf(r -> rules.stream().anyMatch(x -> x == r));
        return new RuleSet(kept);
    }

    /** The first rule, in match order, that claims the file (kernel check_file), or null. */
    public Rule match(byte[] header, byte[] path) {
        for (Rule r : matchOrder) {
            if (r.matches(header, path)) {
                return r;
            }
        }
        return null;
    }

    /** The rules, first match first. */
    public List<Rule> inMatchOrder() {
        return matchOrder;
    }

    public boolean isEmpty() {
        return matchOrder.isEmpty();
    }
}
