package io.jbinfmt.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The start-up fast path: reads the plain run form {@code [run options] [--] COMMAND [ARGS...]} without
 * picocli, whose first use costs ~90 ms of class loading. Anything else (help, version, subcommands, an unknown
 * or malformed option) is declined and left to picocli, so behaviour and messages stay picocli's. A test checks
 * that both read every accepted form the same way.
 */
final class FastArgs {
    private static final Set<String> SUBCOMMANDS = Set.of("check", "rules", "report", "diff", "completion");

    private FastArgs() {
    }

    /** The populated command, or null to use picocli. */
    static JbinfmtCommand parse(String[] args, RawArguments raw) {
        JbinfmtCommand c = new JbinfmtCommand(raw);
        int i = 0;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-") || a.equals("-")) {
                if (SUBCOMMANDS.contains(a)) {
                    return null;
                }
                break;
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            switch (name) {
                case "--system" -> c.ruleOptions.system = true;
                case "--no-defaults" -> c.ruleOptions.noDefaults = true;
                case "-v", "--verbose" -> c.verbose = true;
                case "--stats" -> c.stats = true;
                case "--rules", "--rule", "--log", "--log-format", "--engine" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                            return null; // let picocli say what is wrong
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--rules" -> c.ruleOptions.files.add(Path.of(value));
                        case "--rule" -> c.ruleOptions.lines.add(value);
                        case "--log" -> c.logFile = Path.of(value);
                        case "--engine" -> c.engine = value;
                        default -> c.logFormat = value;
                    }
                }
                default -> {
                    return null;
                }
            }
            if (value != null && !name.equals("--rules") && !name.equals("--rule") && !name.equals("--log")
                    && !name.equals("--log-format") && !name.equals("--engine")) {
                return null; // --flag=value for a flag without a value: picocli's error
            }
            i++;
        }
        if (i >= args.length) {
            return null; // no command: picocli prints the usage error
        }
        c.command = List.of(args).subList(i, args.length);
        if (c.logFormat == null) {
            c.logFormat = "text";
        }
        return c;
    }
}
