package io.jbinfmt.cli;

import io.jbinfmt.tracer.lookup.FixBinaryCheck;
import io.jbinfmt.tracer.rules.BinfmtSupportFile;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFile;
import io.jbinfmt.tracer.rules.RuleFileException;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSetBuilder;
import io.jbinfmt.tracer.rules.RuleSource;
import io.jbinfmt.tracer.rules.RuleSyntaxException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the rules the options name, in registration order: the host's (--system), the --rules files, the --rule
 * lines; or the built-in defaults when none is named. Reports every problem, each as FILE:LINE:COL: reason.
 */
final class RuleSources {
    /** Every problem found in the rule sources, one line each. */
    static final class RulesException extends Exception {
        RulesException(String message) {
            super(message);
        }
    }

    private RuleSources() {
    }

    /** The rules, or null after printing every problem to stderr (the caller exits with {@link ExitCodes#RULES}). */
    static RuleSet loadOrReport(RuleOptions options) {
        try {
            return load(options, System.err);
        } catch (RulesException e) {
            System.err.println(e.getMessage());
            return null;
        }
    }

    static RuleSet load(RuleOptions options, PrintStream warnings) throws RulesException {
        RuleSetBuilder builder = new RuleSetBuilder();
        List<String> errors = new ArrayList<>();
        java.util.Set<String> systemFiles = new java.util.HashSet<>();
        if (options.system) {
            for (Path file : SystemRules.files()) {
                systemFiles.add(file.toString());
                addFile(builder, file, errors);
            }
        }
        for (Path file : options.files) {
            addFile(builder, file, errors);
        }
        int n = 0;
        for (String line : options.lines) {
            n++;
            try {
                builder.add(RuleParser.parse(line.getBytes(), new RuleSource("--rule #" + n, 0)));
            } catch (RuleSyntaxException e) {
                errors.add(e.getMessage());
            }
        }
        if (!options.anySource() && !options.noDefaults) {
            DefaultRules.detected().forEach(builder::add);
        }
        if (!errors.isEmpty()) {
            throw new RulesException(String.join("\n", errors));
        }
        RuleSet set;
        try {
            set = builder.build();
        } catch (RuleFileException e) {
            throw new RulesException(e.getMessage());
        }
        // An F rule whose interpreter cannot be opened is refused, as by the kernel: an error in a file or line
        // given to us; in the host's own files (--system) a warning, and the others still apply, as
        // systemd-binfmt registers every line it can.
        List<FixBinaryCheck.Problem> unfixable = FixBinaryCheck.problems(set);
        List<String> fatal = new ArrayList<>();
        List<Rule> skipped = new ArrayList<>();
        for (FixBinaryCheck.Problem p : unfixable) {
            if (systemFiles.contains(p.rule().source().file())) {
                warnings.println("jbinfmt: warning: " + p.message() + "; rule skipped, as the kernel would refuse it");
                skipped.add(p.rule());
            } else {
                fatal.add(p.message());
            }
        }
        if (!fatal.isEmpty()) {
            throw new RulesException(String.join("\n", fatal));
        }
        set = set.without(skipped);
        for (Rule r : set.inMatchOrder()) {
            if (r.interpreter().length > 0 && r.interpreter()[0] != '/') {
                warnings.println("jbinfmt: warning: " + r.source() + ": rule '" + r.name() + "' has a relative"
                        + " interpreter path; it is looked up in the working directory of each process that execs");
            }
        }
        return set;
    }

    private static void addFile(RuleSetBuilder builder, Path file, List<String> errors) {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            errors.add(file + ": cannot read rules file: " + e.getMessage());
            return;
        }
        try {
            if (BinfmtSupportFile.looksLikeOne(content)) {
                builder.add(BinfmtSupportFile.parse(content, file.getFileName().toString(), file.toString()));
            } else {
                builder.add(RuleFile.parse(content, file.toString()));
            }
        } catch (RuleFileException e) {
            errors.add(e.getMessage());
        } catch (RuleSyntaxException e) {
            errors.add(e.getMessage());
        }
    }
}
