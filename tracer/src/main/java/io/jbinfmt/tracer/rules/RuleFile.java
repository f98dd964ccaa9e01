package io.jbinfmt.tracer.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A binfmt.d file (systemd-binfmt's format): one register string per line, surrounding whitespace stripped,
 * blank lines and lines starting with '#' or ';' ignored, plus jbinfmt's {@code #jbinfmt:} extension lines
 * ({@link RuleDirective}), which systemd reads as comments. Every bad line is reported, not just the first.
 */
public final class RuleFile {
    /** A file's rules in registration order, and its extension directives. */
    public record Contents(List<Rule> rules, List<RuleDirective> directives) {
    }

    private RuleFile() {
    }

    /** The rules of {@code file}, in file (registration) order. */
    public static Contents read(Path file) throws IOException, RuleFileException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** The rules in {@code content}, named {@code name} in messages. */
    public static Contents parse(byte[] content, String name) throws RuleFileException {
        List<Rule> rules = new ArrayList<>();
        List<RuleDirective> directives = new ArrayList<>();
        List<RuleSyntaxException> errors = new ArrayList<>();
        int lineNo = 0;
        int start = 0;
        while (start < content.length) {
            int end = start;
            while (end < content.length && content[end] != '\n') {
                end++;
            }
            lineNo++;
            int from = start;
            int to = end;
            while (from < to && isSpace(content[from])) {
                from++;
            }
            while (to > from && isSpace(content[to - 1])) {
                to--;
            }
            String prefix = RuleDirective.PREFIX;
            if (to - from > prefix.length() && new String(content, from, prefix.length(),
                    java.nio.charset.StandardCharsets.ISO_8859_1).equals(prefix)) {
                try {
                    directives.add(directive(Arrays.copyOfRange(content, from + prefix.length(), to),
                            new RuleSource(name, lineNo), from - start + prefix.length()));
                } catch (RuleSyntaxException e) {
                    errors.add(e);
                }
            } else if (from < to && content[from] != '#' && content[from] != ';') {
                try {
                    rules.add(RuleParser.parse(Arrays.copyOfRange(content, from, to), new RuleSource(name, lineNo)));
                } catch (RuleSyntaxException e) {
                    // report the column in the file's line, not in the stripped one
                    errors.add(new RuleSyntaxException(e.source(), e.column() + (from - start), e.reason()));
                }
            }
            start = end + 1;
        }
        if (!errors.isEmpty()) {
            throw new RuleFileException(errors);
        }
        return new Contents(rules, directives);
    }

    /** "arg NAME VALUE" or "env NAME KEY=VALUE", after the prefix; {@code column} is where it starts. */
    private static RuleDirective directive(byte[] rest, RuleSource source, int column) throws RuleSyntaxException {
        String text = RuleText.string(rest);
        String[] parts = text.split("[ \t]+", 3);
        if (parts.length < 3 || parts[2].isEmpty()) {
            throw new RuleSyntaxException(source, column + 1, "expected '#jbinfmt:arg NAME VALUE' or "
                    + "'#jbinfmt:env NAME KEY=VALUE'");
        }
        RuleDirective.Kind kind = switch (parts[0]) {
            case "arg" -> RuleDirective.Kind.ARG;
            case "env" -> RuleDirective.Kind.ENV;
            default -> throw new RuleSyntaxException(source, column + 1,
                    "unknown jbinfmt directive '" + parts[0] + "' (arg or env)");
        };
        if (kind == RuleDirective.Kind.ENV && parts[2].indexOf('=') <= 0) {
            throw new RuleSyntaxException(source, column + 1, "env needs KEY=VALUE, got '" + parts[2] + "'");
        }
        // the value is the rest of the line after NAME, verbatim (inner blanks kept)
        int valueAt = text.indexOf(parts[1], parts[0].length()) + parts[1].length();
        while (valueAt < text.length() && (text.charAt(valueAt) == ' ' || text.charAt(valueAt) == '\t')) {
            valueAt++;
        }
        return new RuleDirective(source, kind, parts[1], Arrays.copyOfRange(rest, valueAt, rest.length));
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
