package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading JSON log lines: the record format, old logs, and bad input named by FILE:LINE. */
class OutcomeLogTest {
    @TempDir
    Path tmp;

    @Test
    void readsAnExecRecord() throws Exception {
        LogRecord r = OutcomeLog.parse(SampleLogs.exec(4242, "qemu-aarch64", "/usr/bin/qemu-aarch64",
                "./hello-aarch64", "./hello-aarch64", "x"), "f:1");
        LogRecord.Exec e = assertInstanceOf(LogRecord.Exec.class, r);
        assertEquals(4242, e.pid());
        assertEquals("./hello-aarch64", e.path());
        assertEquals(List.of("./hello-aarch64", "x"), e.args());
        assertEquals(List.of("qemu-aarch64"), e.rules());
        assertEquals("/usr/bin/qemu-aarch64", e.interpreter());
        assertEquals("f:1", e.where());
    }

    @Test
    void aRecordWithoutEventIsAnOlderExecRecord() throws Exception {
        // as ExecLog wrote it before exit records: no event, args or interpreter
        LogRecord.Exec e = assertInstanceOf(LogRecord.Exec.class, OutcomeLog.parse("{\"pid\":13067,\"path\":"
                + "\"./hello-aarch64\",\"decision\":\"rewrite\",\"rules\":[\"qemu-aarch64\"],\"argv\":["
                + "\"/usr/bin/qemu-aarch64\",\"./hello-aarch64\",\"x\"],\"preserve_argv0\":false,\"execfd\":false}",
                "f:1"));
        assertNull(e.args());
        assertEquals("/usr/bin/qemu-aarch64", e.interpreter());
        LogRecord.Exec fail = assertInstanceOf(LogRecord.Exec.class, OutcomeLog.parse("{\"pid\":1,\"path\":\"./x\","
                + "\"decision\":\"fail\",\"errno\":\"ENOEXEC\",\"reason\":\"no rule\"}", "f:2"));
        assertEquals(false, fail.rewritten());
    }

    @Test
    void readsExitRecordsAndKeepsUnknownTimesUnknown() throws Exception {
        LogRecord.Exit x = assertInstanceOf(LogRecord.Exit.class,
                OutcomeLog.parse(SampleLogs.exited(7, 3, 12.5, 8.0, 2.0), "f:1"));
        assertEquals(new Outcome.Exited(3), x.outcome());
        assertEquals(12.5, x.wallMs());
        assertEquals(10.0, x.cpuMs());
        assertEquals(10240L, x.maxRssKb());
        LogRecord.Exit noSys = assertInstanceOf(LogRecord.Exit.class,
                OutcomeLog.parse(SampleLogs.exited(7, 0, 12.5, 8.0, null), "f:1"));
        assertNull(noSys.cpuMs()); // half a CPU time is no CPU time
        LogRecord.Exit noFields = assertInstanceOf(LogRecord.Exit.class, OutcomeLog.parse(
                "{\"event\":\"exit\",\"pid\":7,\"status\":\"exec\",\"wall_ms\":3}", "f:1"));
        assertEquals(new Outcome.ExecdAnother(), noFields.outcome());
        assertEquals(3.0, noFields.wallMs());
        assertNull(noFields.userMs());
        assertNull(noFields.maxRssKb());
        LogRecord.Exit unknown = assertInstanceOf(LogRecord.Exit.class, OutcomeLog.parse(
                "{\"event\":\"exit\",\"pid\":7,\"path\":\"./a\",\"status\":\"unknown\",\"wall_ms\":3}", "f:1"));
        assertEquals(new Outcome.EndUnknown(), unknown.outcome());
        assertEquals("./a", unknown.path());
        LogRecord.Exit killed = assertInstanceOf(LogRecord.Exit.class,
                OutcomeLog.parse(SampleLogs.killed(7, "SIGSEGV", 1), "f:1"));
        assertEquals(new Outcome.Killed("SIGSEGV", true), killed.outcome());
    }

    @Test
    void skipsBlankLinesUnknownFieldsAndUnknownEvents() throws Exception {
        assertNull(OutcomeLog.parse("   ", "f:1"));
        assertNull(OutcomeLog.parse("{\"event\":\"cgroup\",\"pid\":1}", "f:1"));
        LogRecord.Exec e = assertInstanceOf(LogRecord.Exec.class, OutcomeLog.parse(
                "{\"pid\":1,\"path\":\"./a\",\"decision\":\"pass\",\"future\":{\"x\":[1,2]}}", "f:1"));
        assertEquals("pass", e.decision());
    }

    @Test
    void badLinesAreNamedByFileAndLine() {
        assertBad("{\"pid\":1,", "f:4: not JSON (");
        assertBad("jbinfmt: pid 13067 exec ./hello-aarch64: pass", "f:4: not JSON (");
        assertBad("[1,2]", "f:4: not a JSON object but an array");
        assertBad("\"exec\"", "f:4: not a JSON object but a string");
        assertBad("{\"pid\":1} {}", "f:4: not one JSON value: more text follows it");
        assertBad("{\"path\":\"./a\",\"decision\":\"pass\"}", "f:4: \"pid\" is missing");
        assertBad("{\"pid\":\"1\",\"path\":\"./a\",\"decision\":\"pass\"}", "f:4: \"pid\" must be an integer, not a string");
        assertBad("{\"event\":\"exit\",\"pid\":1,\"status\":\"gone\"}",
                "f:4: \"status\" must be exited, killed, exec or unknown, not \"gone\"");
        assertBad("{\"event\":\"exit\",\"pid\":1,\"status\":\"exited\"}", "f:4: \"exit_code\" is missing");
        assertBad("{\"event\":\"exit\",\"pid\":1,\"status\":\"exited\",\"exit_code\":0,\"wall_ms\":\"slow\"}",
                "f:4: \"wall_ms\" must be a number >= 0, not a string");
        assertBad("{\"pid\":1,\"path\":\"./a\",\"decision\":\"rewrite\",\"rules\":[1],\"argv\":[]}",
                "f:4: \"rules\" must be an array of strings");
    }

    private static void assertBad(String line, String messageStart) {
        BadLogException e = assertThrows(BadLogException.class, () -> OutcomeLog.parse(line, "f:4"), line);
        assertEquals(messageStart, e.getMessage().substring(0, Math.min(messageStart.length(), e.getMessage().length())),
                e.getMessage());
    }

    @Test
    void readsAFileAndNamesItsBadLine() throws Exception {
        Path log = Files.writeString(tmp.resolve("a.jsonl"), SampleLogs.pass(1, "./a") + "\n\n"
                + SampleLogs.exec(2, "r", "/i", "./b", "./b") + "\n" + SampleLogs.exited(2, 0, 1, 1.0, 1.0) + "\n");
        assertEquals(3, OutcomeLog.read(log).size());
        Files.writeString(log, "not json\n", java.nio.file.StandardOpenOption.APPEND);
        BadLogException bad = assertThrows(BadLogException.class, () -> OutcomeLog.read(log));
        assertEquals(log + ":5: not JSON", bad.getMessage().substring(0, (log + ":5: not JSON").length()));
    }

    @Test
    void aMissingFileOrALineThatIsNotUtf8IsBadInput() throws Exception {
        BadLogException missing = assertThrows(BadLogException.class, () -> OutcomeLog.read(tmp.resolve("nope")));
        assertEquals(tmp.resolve("nope") + ": cannot read: no such file", missing.getMessage());
        Path log = tmp.resolve("b.jsonl");
        Files.write(log, ("{\"pid\":1,\"path\":\"./a\",\"decision\":\"pass\"}\n{\"pid\":1,\"path\":\"./\u00e9\","
                + "\"decision\":\"pass\"}\n{\"pid\":1,\"path\":\"./\377\",\"decision\":\"pass\"}\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        BadLogException notUtf8 = assertThrows(BadLogException.class, () -> OutcomeLog.read(log));
        assertEquals(log + ":2: not UTF-8 text, which a JSON log always is", notUtf8.getMessage());
    }
}
