package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        JbinfmtCommand logged = parse("-v", "--stats", "--log", "l.txt", "--log-format", "json", "make");
        assertEquals(true, logged.verbose);
        assertEquals(Path.of("l.txt"), logged.logFile);
        assertEquals(List.of("make"), logged.command);
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
