package io.jbinfmt.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jbinfmt.tracer.rules.BinfmtSupportFile;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFile;
import io.jbinfmt.tracer.rules.RuleFileException;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import io.jbinfmt.tracer.rules.RuleSyntaxException;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way untrusted bytes reach the rules code, fuzzed as one target (Jazzer fuzzes one test per run). The
 * properties: a refused input is a {@link RuleSyntaxException} or {@link RuleFileException} pointing inside the
 * input, never any other exception; an accepted register line prints back to a line that parses to the same
 * rule; matching a parsed rule against any header and path never throws.
 */
class RulesFuzzTest {
    private static final RuleSource SOURCE = new RuleSource("fuzz", 1);

    @FuzzTest(maxDuration = "60s")
    void rulesInput(FuzzedDataProvider data) throws Exception {
        switch (data.consumeInt(0, 2)) {
            case 0 -> registerLine(data.consumeBytes(RuleParser.MAX_LENGTH + 8), data.consumeBytes(300),
                    data.consumeRemainingAsBytes());
            case 1 -> rulesFile(data.consumeRemainingAsBytes());
            default -> binfmtSupportFile(data.consumeRemainingAsBytes());
        }
    }

    private static void registerLine(byte[] line, byte[] header, byte[] path) throws Exception {
        Rule rule;
        try {
            rule = RuleParser.parse(line, SOURCE);
        } catch (RuleSyntaxException e) {
            assertTrue(e.column() >= 1 && e.column() <= line.length + 1, "column " + e.column() + " outside the line");
            return;
        }
        byte[] printed = rule.toRegisterString();
        assertEquals(rule, RuleParser.parse(printed, SOURCE), "the printed form parses to another rule");
        if (printed[0] != '#' && printed[0] != ';' && indexOf(printed, (byte) '\n') < 0) {
            // what `jbinfmt rules` prints must load again from a rules file (blanks around it are trimmed there)
            List<Rule> fromFile = RuleFile.parse(printed, "printed").rules();
            if (!isBlank(printed[0]) && !isBlank(printed[printed.length - 1])) {
                assertEquals(List.of(rule), fromFile, "the printed line reads back as another rule from a file");
            }
        }
        // the header is always Rule.HEADER_SIZE bytes, zero-filled past the end of the file (as the kernel reads it)
        RuleSet.registered(List.of(rule)).match(Arrays.copyOf(header, Rule.HEADER_SIZE), path);
    }

    private static void rulesFile(byte[] content) {
        try {
            RuleFile.parse(content, "fuzz.conf");
        } catch (RuleFileException e) {
            long lines = 1 + count(content, (byte) '\n');
            assertTrue(!e.errors().isEmpty(), "an error with no line");
            for (RuleSyntaxException error : e.errors()) {
                assertTrue(error.source().line() >= 1 && error.source().line() <= lines, "line outside the file");
                assertTrue(error.column() >= 1, "column " + error.column());
            }
        }
    }

    private static void binfmtSupportFile(byte[] content) {
        try {
            BinfmtSupportFile.parse(content, "fuzz", "fuzz-file");
        } catch (RuleSyntaxException e) {
            assertTrue(e.source().line() >= 0, "line " + e.source().line());
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static long count(byte[] a, byte b) {
        long n = 0;
        for (byte x : a) {
            if (x == b) {
                n++;
            }
        }
        return n;
    }
}
