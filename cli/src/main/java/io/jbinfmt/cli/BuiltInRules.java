package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.RuleSource;

/**
 * Where a built-in default rule says it comes from (in `jbinfmt rules`, in errors, in the log): one value shared by
 * the qemu, WASI and wine rules, and by {@link DefaultRules}, which tells them from a file's by it.
 */
final class BuiltInRules {
    static final RuleSource SOURCE = new RuleSource("(built-in defaults)", 0);

    private BuiltInRules() {
    }
}
