package io.jbinfmt.tracer.rules;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How one rule reaches the kernel's binfmt_misc under the kernel engine (pure). A plain rule goes as its own
 * register line. A rule with jbinfmt's extensions (extra interpreter arguments or environment, which the kernel
 * cannot hold: the default qemu rules' {@code -L SYSROOT}) goes with a generated {@code #!/bin/sh} wrapper as its
 * interpreter, which sets the environment and execs the real interpreter with the extra arguments before the
 * kernel's: the interpreter's argv is then the one jbinfmt's other engines give it. A wrapper cannot carry P or O
 * (its own exec drops AT_FLAGS and AT_EXECFD), so such a rule with extensions is refused.
 *
 * @param rule    the rule as loaded
 * @param kernel  the rule as registered (the wrapper as interpreter, or {@code rule} itself)
 * @param wrapper the wrapper script's bytes, or null when the rule goes as it is
 */
public record KernelRuleForm(Rule rule, Rule kernel, byte[] wrapper) {

    /** A rule the kernel cannot run as jbinfmt would; the message names it and says why, in one line. */
    public static final class Inexpressible extends Exception {
        public Inexpressible(String message) {
            super(message);
        }
    }

    /**
     * The form of {@code r}; {@code wrapperPath} is where its wrapper would be (absolute, so that every process
     * finds it whatever its working directory).
     */
    public static KernelRuleForm of(Rule r, byte[] wrapperPath) throws Inexpressible {
        if (!r.hasExtensions()) {
            return new KernelRuleForm(r, r, null);
        }
        if (r.has(RuleFlag.P) || r.has(RuleFlag.O)) {
            throw new Inexpressible("rule " + r.name() + " (" + r.source() + ") has #jbinfmt:arg/env lines, which the"
                    + " kernel engine passes through a wrapper script, and flag " + (r.has(RuleFlag.P) ? "P" : "O")
                    + ", which no wrapper can pass on (its own exec drops AT_FLAGS and AT_EXECFD); use --engine "
                    + "notify or ptrace, or drop one of them");
        }
        Rule kernel = new Rule(r.name(), r.kind(), r.offset(), r.magic(), r.mask(), wrapperPath, r.flags(),
                r.source());
        return new KernelRuleForm(r, kernel, wrapperScript(r));
    }

    /** The rules in the order to register them so that the kernel's match order is {@code rules}'s. */
    public static List<Rule> registrationOrder(RuleSet rules) {
        List<Rule> order = new ArrayList<>(rules.inMatchOrder());
        return order.reversed(); // the kernel tries the rule registered last first
    }

    /**
     * {@code #!/bin/sh}, an {@code export} per environment entry, and {@code exec INTERPRETER EXTRA... "$@"}: the
     * kernel runs it as {@code /bin/sh WRAPPER PATH ARGS...}, so "$@" is what the kernel would have given the
     * interpreter. Bytes are kept as they are, each word single-quoted.
     */
    static byte[] wrapperScript(Rule r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("#!/bin/sh\n# jbinfmt --engine kernel: rule " + r.name()
                + "'s #jbinfmt lines, which binfmt_misc cannot hold\n").getBytes());
        for (byte[] e : r.extraEnv()) {
            out.writeBytes("export ".getBytes());
            out.writeBytes(quoted(e));
            out.write('\n');
        }
        out.writeBytes("exec ".getBytes());
        out.writeBytes(quoted(r.interpreter()));
        for (byte[] a : r.extraArgs()) {
            out.write(' ');
            out.writeBytes(quoted(a));
        }
        out.writeBytes(" \"$@\"\n".getBytes());
        return out.toByteArray();
    }

    /** {@code 'word'}, each ' inside written as '\''. */
    static byte[] quoted(byte[] word) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('\'');
        for (byte b : word) {
            if (b == '\'') {
                out.writeBytes("'\\''".getBytes());
            } else {
                out.write(b);
            }
        }
        out.write('\'');
        return out.toByteArray();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelRuleForm f && rule.equals(f.rule) && kernel.equals(f.kernel)
                && Arrays.equals(wrapper, f.wrapper);
    }

    @Override
    public int hashCode() {
        return rule.hashCode() * 31 + Arrays.hashCode(wrapper);
    }
}
