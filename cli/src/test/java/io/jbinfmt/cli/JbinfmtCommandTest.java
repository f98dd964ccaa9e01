package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parse-only tests: what belongs to jbinfmt and what to the command. */
class JbinfmtCommandTest {
    private static JbinfmtCommand parse(String... args) {
        JbinfmtCommand c = new JbinfmtCommand(null);
        JbinfmtCommand.commandLine(c).parseArgs(args);
        return c;
    }

    @Test
    void optionsAfterTheCommandBelongToTheCommand() {
        JbinfmtCommand c = parse("--rules", "r.conf", "ls", "--rules", "x");
        assertEquals(List.of(Path.of("r.conf")), c.ruleOptions.files);
        assertEquals(List.of("ls", "--rules", "x"), c.command);
    }

    @Test
    void doubleDashEndsOptions() {
        JbinfmtCommand c = parse("--", "--help");
        assertEquals(List.of("--help"), c.command);
    }

    @Test
    void rulesRepeat() {
        JbinfmtCommand c = parse("--rules", "a", "--rules", "b", "--", "make", "check");
        assertEquals(List.of(Path.of("a"), Path.of("b")), c.ruleOptions.files);
        assertEquals(List.of("make", "check"), c.command);
    }

    @Test
    void subcommandsAreRecognisedOnlyFirst() {
        CommandLine cl = JbinfmtCommand.commandLine(new JbinfmtCommand(null));
        CommandLine.ParseResult check = cl.parseArgs("check", "--rules", "r.conf", "a.out");
        assertEquals("check", check.subcommand().commandSpec().name());
        JbinfmtCommand run = parse("--", "check", "x");
        assertEquals(List.of("check", "x"), run.command);
        assertEquals("diff", cl.parseArgs("diff", "a.jsonl", "b.jsonl").subcommand().commandSpec().name());
        assertEquals(List.of("diff", "a", "b"), parse("--", "diff", "a", "b").command); // diff(1) under jbinfmt
        JbinfmtCommand logged = parse("-v", "--stats", "--log", "l.txt", "--log-format", "json", "make");
        assertEquals(true, logged.verbose);
        assertEquals(Path.of("l.txt"), logged.logFile);
        assertEquals(List.of("make"), logged.command);
    }

    @Test
    void theFastPathReadsWhatPicocliReads() {
        String[][] accepted = {
                {"true"},
                {"--", "true", "--rules", "x"},
                {"--rules", "r.conf", "ls", "--rules", "x"},
                {"--rules=r.conf", "--rule", ":a:E::x::/bin/i:", "--system", "--no-defaults", "make", "check"},
                {"-v", "--stats", "--log", "l.txt", "--log-format", "json", "--", "sh", "-c", "exit 3"},
                {"--verbose", "--log=l", "--log-format=text", "./a.out", "-v"},
                {"-", "x"},
        };
        for (String[] args : accepted) {
            JbinfmtCommand fast = FastArgs.parse(args, null);
            assertNotNull(fast, String.join(" ", args));
            JbinfmtCommand slow = parse(args);
            String what = String.join(" ", args);
            assertEquals(slow.command, fast.command, what);
            assertEquals(slow.ruleOptions.files, fast.ruleOptions.files, what);
            assertEquals(slow.ruleOptions.lines, fast.ruleOptions.lines, what);
            assertEquals(slow.ruleOptions.system, fast.ruleOptions.system, what);
            assertEquals(slow.ruleOptions.noDefaults, fast.ruleOptions.noDefaults, what);
            assertEquals(slow.verbose, fast.verbose, what);
            assertEquals(slow.stats, fast.stats, what);
            assertEquals(slow.logFile, fast.logFile, what);
            assertEquals(slow.logFormat, fast.logFormat, what);
        }
        String[][] declined = {
                {}, {"--help"}, {"-h"}, {"--version"}, {"check", "x"}, {"rules"}, {"completion"},
                {"report", "run.jsonl"}, {"diff", "a.jsonl", "b.jsonl"},
                {"--rules"}, {"--rules", "--system", "x"}, {"--nope", "x"}, {"-vx", "y"}, {"--stats=yes", "x"},
                {"--system"},
        };
        for (String[] args : declined) {
            assertNull(FastArgs.parse(args, null), String.join(" ", args));
        }
    }

    @Test
    void missingCommandIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cl = JbinfmtCommand.commandLine(new JbinfmtCommand(null));
        cl.setErr(new PrintWriter(err));
        assertEquals(ExitCodes.USAGE, cl.execute("--rules", "x"));
        assertTrue(err.toString().contains("COMMAND"), err.toString());
    }

    @Test
    void helpListsTheExitCodes() {
        StringWriter out = new StringWriter();
        CommandLine cl = JbinfmtCommand.commandLine(new JbinfmtCommand(null));
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("--help"));
        assertTrue(out.toString().contains("Exit status:"), out.toString());
        assertTrue(out.toString().contains("127"), out.toString());
    }
}
