package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;



/** {@code jbinfmt rules}: the effective rule set, first match first, as register lines with their origins. */
@Command(name = "rules", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the rules in effect, in match order (the first that matches wins), each as the "
                + "register line the kernel would accept, with where it came from and any jbinfmt extension "
                + "(#jbinfmt:arg / #jbinfmt:env lines). A built-in rule's comment says what it runs and with "
                + "what: the sysroot a qemu rule passes, the directories a WASI module may open, why wine.",
                "With no rule options, shows the built-in defaults detected on this machine."})
final class RulesCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    RuleOptions ruleOptions = new RuleOptions();

    @Option(names = "--validate", description = "Only check the rules: print errors (FILE:LINE:COL: reason, exit "
            + "124) or a one-line summary.")
    boolean validate;

    @Override
    public Integer call() {
        RuleSet rules = RuleSources.loadOrReport(ruleOptions);
        if (rules == null) {
            return ExitCodes.RULES;
        }
        if (validate) {
            System.out.println("jbinfmt: " + rules.inMatchOrder().size() + " rules OK");
            return 0;
        }
        if (rules.isEmpty()) {
            System.out.println("# no rules");
        }
        for (Rule r : rules.inMatchOrder()) {
            String note = DefaultRules.note(r);
            System.out.println("# " + r.source() + (note == null ? "" : ": " + note));
            System.out.write(r.toRegisterString(), 0, r.toRegisterString().length); // bytes as they are: re-loadable
            System.out.println();
            for (byte[] a : r.extraArgs()) {
                System.out.print("#jbinfmt:arg " + r.name() + " ");
                System.out.write(a, 0, a.length);
                System.out.println();
            }
            for (byte[] e : r.extraEnv()) {
                System.out.print("#jbinfmt:env " + r.name() + " ");
                System.out.write(e, 0, e.length);
                System.out.println();
            }
        }
        return 0;
    }

}
