package io.jbinfmt.cli.report;

import java.util.List;

/**
 * One rewritten process: the program as it was exec'd, the rule and interpreter that ran it, how it ended and
 * what it cost. Times are in ms; null where unknown (no exit record, or the engine could not measure them).
 */
record ProcessRun(String path, List<String> args, String rule, String interpreter, Outcome outcome, Double wallMs,
                  Double cpuMs, Long maxRssKb) {

    /** What identifies a program across two runs: its path and its argv (null in logs that lack "args"). */
    record Key(String path, List<String> args) {
        /** The command line as a person would type it: path, then the arguments after argv[0]. */
        String show() {
            StringBuilder b = new StringBuilder(word(path));
            if (args == null) {
                return b.toString();
            }
            if (!args.isEmpty() && !args.getFirst().equals(path)) {
                b.append(" [argv0 ").append(word(args.getFirst())).append(']');
            }
            for (String a : args.subList(Math.min(1, args.size()), args.size())) {
                b.append(' ').append(word(a));
            }
            return b.toString();
        }

        /** Quoted like a shell word where needed; control characters shown as \xHH so a table stays a table. */
        private static String word(String s) {
            StringBuilder b = new StringBuilder();
            for (char c : s.toCharArray()) {
                if (c < 0x20 || c == 0x7f) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
            String w = b.toString();
            boolean plain = !w.isEmpty() && w.chars().noneMatch(c -> c == ' ' || c == '\'' || c == '"');
            return plain ? w : "'" + w.replace("'", "'\\''") + "'";
        }
    }

    Key key() {
        return new Key(path, args);
    }

    /** The command line for tables: see {@link Key#show}. */
    String program() {
        return key().show();
    }
}
