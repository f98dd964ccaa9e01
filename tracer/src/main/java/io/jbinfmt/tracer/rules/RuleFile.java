package io.jbinfmt.tracer.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A binfmt.d file (systemd-binfmt's format): one register string per line, surrounding whitespace stripped,
 * blank lines and lines starting with '#' or ';' ignored. Every bad line is reported, not just the first.
 */
public final class RuleFile {
    private RuleFile() {
    }

    /** The rules of {@code file}, in file (registration) order. */
    public static List<Rule> read(Path file) throws IOException, RuleFileException {
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** The rules in {@code content}, named {@code name} in messages. */
    public static List<Rule> parse(byte[] content, String name) throws RuleFileException {
        List<Rule> rules = new ArrayList<>();
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
            if (from < to && content[from] != '#' && content[from] != ';') {
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
        return rules;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
