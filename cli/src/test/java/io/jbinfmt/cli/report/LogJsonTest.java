package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** One JSON log line and its record: the writer and reader agree, old logs still read, bad lines are named. */
class LogJsonTest {
    @Test
    void readsAnExecRecord() throws Exception {
        LogRecord r = LogJson.read(SampleLogs.exec(4242, "qemu-aarch64", "/usr/bin/qemu-aarch64",
                "./hello-aarch64", "./hello-aarch64", "x"), "f:1");
        LogRecord.Exec e = assertInstanceOf(LogRecord.Exec.class, r);
        assertEquals(4242, e.pid());
        assertEquals("./hello-aarch64", e.path());
        LogRecord.Rewrite w = assertInstanceOf(LogRecord.Rewrite.class, e.decision());
        assertEquals(List.of("./hello-aarch64", "x"), w.args());
        assertEquals(List.of("qemu-aarch64"), w.rules());
        assertEquals("/usr/bin/qemu-aarch64", w.interpreter());
        assertEquals(List.of("/usr/bin/qemu-aarch64", "./hello-aarch64", "x"), w.argv());
        assertEquals(new BigDecimal("1764520000123.456"), e.timeMs());
    }

    @Test
    void aRecordWithoutEventIsAnOlderExecRecord() throws Exception {
        // as ExecLog wrote it before exit records: no event, args or interpreter
        LogRecord.Exec e = assertInstanceOf(LogRecord.Exec.class, LogJson.read("{\"pid\":13067,\"path\":"
                + "\"./hello-aarch64\",\"decision\":\"rewrite\",\"rules\":[\"qemu-aarch64\"],\"argv\":["
                + "\"/usr/bin/qemu-aarch64\",\"./hello-aarch64\",\"x\"],\"preserve_argv0\":false,\"execfd\":false}",
                "f:1"));
        LogRecord.Rewrite w = assertInstanceOf(LogRecord.Rewrite.class, e.decision());
        assertNull(w.args());
        assertNull(e.timeMs());
        assertEquals("/usr/bin/qemu-aarch64", w.interpreter());
        LogRecord.Exec fail = assertInstanceOf(LogRecord.Exec.class, LogJson.read("{\"pid\":1,\"path\":\"./x\","
                + "\"decision\":\"fail\",\"errno\":\"ENOEXEC\",\"reason\":\"no rule\"}", "f:2"));
        assertEquals(new LogRecord.Fail("ENOEXEC", "no rule"), fail.decision());
    }

    @Test
    void readsExitRecordsAndKeepsUnknownTimesUnknown() throws Exception {
        LogRecord.Exit x = assertInstanceOf(LogRecord.Exit.class,
                LogJson.read(SampleLogs.exited(7, 3, 12.5, 8.0, 2.0), "f:1"));
        assertEquals(new Outcome.Exited(3), x.outcome());
        assertEquals(new BigDecimal("12.5"), x.wallMs());
        assertEquals(10.0, x.cpuMs());
        assertEquals(10240L, x.maxRssKb());
        LogRecord.Exit noSys = assertInstanceOf(LogRecord.Exit.class,
                LogJson.read(SampleLogs.exited(7, 0, 12.5, 8.0, null), "f:1"));
        assertNull(noSys.cpuMs()); // half a CPU time is no CPU time
        LogRecord.Exit noFields = assertInstanceOf(LogRecord.Exit.class, LogJson.read(
                "{\"event\":\"exit\",\"pid\":7,\"status\":\"exec\",\"wall_ms\":3}", "f:1"));
        assertEquals(new Outcome.ExecdAnother(), noFields.outcome());
        assertEquals(new BigDecimal(3), noFields.wallMs());
        assertNull(noFields.userMs());
        assertNull(noFields.maxRssKb());
        LogRecord.Exit unknown = assertInstanceOf(LogRecord.Exit.class, LogJson.read(
                "{\"event\":\"exit\",\"pid\":7,\"path\":\"./a\",\"status\":\"unknown\",\"wall_ms\":3}", "f:1"));
        assertEquals(new Outcome.EndUnknown(), unknown.outcome());
        assertEquals("./a", unknown.path());
        LogRecord.Exit killed = assertInstanceOf(LogRecord.Exit.class,
                LogJson.read(SampleLogs.killed(7, "SIGSEGV", 1), "f:1"));
        assertEquals(new Outcome.Killed("SIGSEGV", true), killed.outcome());
    }

    @Test
    void skipsBlankLinesUnknownFieldsAndUnknownEvents() throws Exception {
        assertNull(LogJson.read("   ", "f:1"));
        assertNull(LogJson.read("{\"event\":\"cgroup\",\"pid\":1}", "f:1"));
        LogRecord.Exec e = assertInstanceOf(LogRecord.Exec.class, LogJson.read(
                "{\"pid\":1,\"path\":\"./a\",\"decision\":\"pass\",\"future\":{\"x\":[1,2]}}", "f:1"));
        assertEquals(new LogRecord.Pass(), e.decision());
        assertNull(LogJson.read("{\"pid\":1,\"path\":\"./a\",\"decision\":\"defer\"}", "f:1"));
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
        BadLogException e = assertThrows(BadLogException.class, () -> LogJson.read(line, "f:4"), line);
        assertEquals(messageStart, e.getMessage().substring(0, Math.min(messageStart.length(), e.getMessage().length())),
                e.getMessage());
    }

    @Test
    void everyKindOfRecordReadsBackAsItWasWritten() throws Exception {
        List<LogRecord> records = List.of(
                new LogRecord.Exec(new BigDecimal("1796646046015"), 1, "/usr/bin/sh", new LogRecord.Pass()),
                new LogRecord.Exec(null, 2, "./\\xff\u00e9\u2028", new LogRecord.Fail("ENOEXEC", "no \"rule\"\n")),
                new LogRecord.Exec(new BigDecimal("1764520000123.456"), 3, "./a\\\\b", new LogRecord.Rewrite(
                        List.of("./a\\\\b", "\u0001\u0008\u000c\t\u007f", ""), List.of("r1", "r2"), "/i",
                        List.of("/i", "-x", "./a\\\\b"), true, true)),
                new LogRecord.Exec(null, 4, "./old", new LogRecord.Rewrite(null, List.of("r"), "/i",
                        List.of("/i", "./old"), false, false)),
                new LogRecord.Exit(new BigDecimal("1796646046091"), 3, "./a\\\\b", List.of("r1", "r2"),
                        new Outcome.Exited(3), new BigDecimal("12.300"), new BigDecimal("0.000"),
                        new BigDecimal("1.005"), 16056L),
                new LogRecord.Exit(null, 5, null, null, new Outcome.Killed("SIGSEGV", true), new BigDecimal("4.659"),
                        null, null, null),
                new LogRecord.Exit(new BigDecimal(7), 6, "./b", List.of("r"), new Outcome.ExecdAnother(),
                        new BigDecimal("0.012"), null, null, null),
                new LogRecord.Exit(new BigDecimal(7), 6, "./c", List.of("r"), new Outcome.EndUnknown(),
                        new BigDecimal("3.000"), new BigDecimal("1.000"), new BigDecimal("2.000"), null));
        for (LogRecord r : records) {
            String line = LogJson.write(r);
            assertEquals(r, LogJson.read(line, "t:1"), line);
        }
    }

    @Test
    void linesOfEarlierRunsReadAndWriteBackByteForByte() throws Exception {
        // the README's lines, and lines as the hand-made writer before this one wrote them: bytes that are not
        // UTF-8, control characters escaped (\\b and \\f too, in hex), DEL raw
        for (String line : List.of(
                "{\"event\":\"exec\",\"time_ms\":1796056808540,\"pid\":16891,\"path\":\"./hello-aarch64\",\"args\":"
                        + "[\"./hello-aarch64\",\"x\"],\"decision\":\"rewrite\",\"rules\":[\"qemu-aarch64\"],"
                        + "\"interpreter\":\"/usr/bin/qemu-aarch64\",\"argv\":[\"/usr/bin/qemu-aarch64\",\"-L\","
                        + "\"/usr/aarch64-linux-gnu\",\"./hello-aarch64\",\"x\"],\"preserve_argv0\":false,"
                        + "\"execfd\":false}",
                "{\"event\":\"exit\",\"time_ms\":1796056808552,\"pid\":16891,\"path\":\"./hello-aarch64\",\"rules\":"
                        + "[\"qemu-aarch64\"],\"status\":\"exited\",\"exit_code\":3,\"wall_ms\":12.396,\"user_ms\":7.416,"
                        + "\"sys_ms\":3.950,\"max_rss_kb\":16056}",
                "{\"event\":\"exec\",\"time_ms\":1796646051933,\"pid\":5733,\"path\":\"./ctl\\u0001\\u001b\u007f.jbt\","
                        + "\"args\":[\"./ctl\\u0001\\u001b\u007f.jbt\",\"arg\\\\xff\\\\\\\\\\u0001\\u0008\\u000c\\\"x\",\"\"],"
                        + "\"decision\":\"rewrite\",\"rules\":[\"t\"],\"interpreter\":\"/bin/true\",\"argv\":["
                        + "\"/bin/true\",\"./ctl\\u0001\\u001b\u007f.jbt\"],\"preserve_argv0\":false,\"execfd\":false}",
                "{\"event\":\"exit\",\"time_ms\":1796646051995,\"pid\":5743,\"path\":\"./z.jbk\",\"rules\":[\"k\"],"
                        + "\"status\":\"killed\",\"signal\":\"SIGSEGV\",\"core\":false,\"wall_ms\":4.659,"
                        + "\"user_ms\":0.000,\"sys_ms\":2.982,\"max_rss_kb\":null}",
                "{\"event\":\"exec\",\"time_ms\":1796646051953,\"pid\":5738,\"path\":\"/bin/true\",\"decision\":"
                        + "\"pass\"}")) {
            assertEquals(line, LogJson.write(LogJson.read(line, "t:1")));
        }
    }
}
