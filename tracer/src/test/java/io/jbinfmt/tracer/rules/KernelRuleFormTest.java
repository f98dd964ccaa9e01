package io.jbinfmt.tracer.rules;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel engine's form of rules: plain ones as they are, extensions through a wrapper, P/O with them refused. */
class KernelRuleFormTest {
    static final RuleSource SRC = new RuleSource("t.conf", 3);

    static Rule rule(String name, RuleFlag... flags) {
        return new Rule(name, Rule.Kind.EXTENSION, 0, name.getBytes(), null, "/usr/bin/qemu-x".getBytes(),
                flags.length == 0 ? EnumSet.noneOf(RuleFlag.class) : EnumSet.of(flags[0], flags), SRC);
    }

    @Test
    void aPlainRuleGoesAsItIs() throws Exception {
        Rule r = rule("a");
        KernelRuleForm f = KernelRuleForm.of(r, "/w/0".getBytes());
        assertSame(r, f.kernel());
        assertNull(f.wrapper());
    }

    @Test
    void extensionsGoThroughAWrapperThatExecsTheInterpreterWithThem() throws Exception {
        Rule r = rule("q").withExtraArg("-L".getBytes()).withExtraArg("/it's".getBytes())
                .withExtraEnv("K=v w".getBytes());
        KernelRuleForm f = KernelRuleForm.of(r, "/w/0".getBytes());
        assertEquals(":q:E::q::/w/0:", new String(f.kernel().toRegisterString()));
        assertEquals("""
                #!/bin/sh
                # jbinfmt --engine kernel: rule q's #jbinfmt lines, which binfmt_misc cannot hold
                export 'K=v w'
                exec '/usr/bin/qemu-x' '-L' '/it'\\''s' "$@"
                """, new String(f.wrapper()));
    }

    @Test
    void pOrOWithExtensionsIsRefusedNamingTheRule() {
        for (RuleFlag flag : List.of(RuleFlag.P, RuleFlag.O, RuleFlag.C)) {
            Rule r = rule("p", flag).withExtraArg("x".getBytes());
            KernelRuleForm.Inexpressible e = assertThrows(KernelRuleForm.Inexpressible.class,
                    () -> KernelRuleForm.of(r, "/w/0".getBytes()));
            assertTrue(e.getMessage().startsWith("rule p (t.conf"), e.getMessage());
        }
    }

    @Test
    void registrationOrderGivesTheKernelTheSameMatchOrder() {
        RuleSet set = RuleSet.registered(List.of(rule("a"), rule("b"), rule("c")));
        assertEquals(List.of("a", "b", "c"), KernelRuleForm.registrationOrder(set).stream().map(Rule::name).toList());
        assertEquals(List.of("c", "b", "a"), set.inMatchOrder().stream().map(Rule::name).toList());
    }
}
