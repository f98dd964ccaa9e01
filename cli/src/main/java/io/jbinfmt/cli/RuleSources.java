package io.jbinfmt.cli;

import io.jbinfmt.tracer.exec.FixBinaryCheck;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFile;
import io.jbinfmt.tracer.rules.RuleFileException;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import io.jbinfmt.tracer.rules.RuleSyntaxException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Gathers the rules the command line names: --rules files in order, then --rule lines, as registrations. */
final class RuleSources {
    /** Every problem found in the rule sources, one line each. */
    static final class RulesException extends Exception {
        RulesException(String message) {
            super(message);
        }
    }

    private RuleSources() {
    }

    static RuleSet load(List<Path> files, List<String> lines) throws RulesException {
        List<Rule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (Path file : files) {
            try {
                rules.addAll(RuleFile.read(file));
            } catch (RuleFileException e) {
                errors.add(e.getMessage());
            } catch (IOException e) {
                errors.add(file + ": cannot read rules file: " + e.getMessage());
            }
        }
        int n = 0;
        for (String line : lines) {
            n++;
            try {
                rules.add(RuleParser.parse(line.getBytes(), new RuleSource("--rule #" + n, 0)));
            } catch (RuleSyntaxException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new RulesException(String.join("\n", errors));
        }
        RuleSet set = RuleSet.registered(rules);
        List<String> unfixable = FixBinaryCheck.problems(set);
        if (!unfixable.isEmpty()) {
            throw new RulesException(String.join("\n", unfixable));
        }
        for (Rule r : set.inMatchOrder()) {
            if (r.interpreter().length > 0 && r.interpreter()[0] != '/') {
                System.err.println("jbinfmt: warning: " + r.source() + ": rule '" + r.name() + "' has a relative"
                        + " interpreter path; it is looked up in the working directory of each process that execs");
            }
        }
        return set;
    }
}
