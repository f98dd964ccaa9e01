package io.jbinfmt.cli;

import io.jbinfmt.cli.report.LogJson;
import io.jbinfmt.cli.report.LogRecord;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The JSON exec log as ExecLog writes it from what the tracer saw: byte for byte the lines of a real run made
 * before the log was written through LogJson (paths and arguments with bytes that are not UTF-8, backslashes,
 * control characters and quotes), and each line reads back as the record it was written from.
 */
class ExecLogTest {
    private static final byte[] PROGRAM = bytes("./a", 0xff, "b.jbt");
    private static final byte[] ARG = bytes("arg", 0xff, "\\", 0x01, 0x08, 0x0c, "\"x");

    @Test
    void aRewriteRecordShowsBytesThatAreNotUtf8AsEscapesAsTheLogAlwaysDid() throws Exception {
        Rule t = RuleParser.parse(":t:E::jbt::/bin/true:".getBytes(), new RuleSource("test", 1));
        ExecRequest request = new ExecRequest(4885, null, false, ExecRequest.AT_FDCWD, PROGRAM, 0, 0, 0);
        ExecPlan plan = new ExecPlan.Rewrite("/bin/true".getBytes(), List.of("/bin/true".getBytes(), PROGRAM, PROGRAM,
                ARG, new byte[0]), List.of(), false, null, "true".getBytes(), PROGRAM, List.of(t), -1,
                List.of(PROGRAM, PROGRAM, ARG, new byte[0]), false);
        LogRecord record = ExecLog.record(request, plan, 1796646046068L);
        String line = LogJson.write(record);
        // written by the hand-made writer this one replaced, from the same exec
        assertEquals("{\"event\":\"exec\",\"time_ms\":1796646046068,\"pid\":4885,\"path\":\"./a\\\\xffb.jbt\","
                + "\"args\":[\"./a\\\\xffb.jbt\",\"./a\\\\xffb.jbt\",\"arg\\\\xff\\\\\\\\\\u0001\\u0008\\u000c\\\"x\","
                + "\"\"],\"decision\":\"rewrite\",\"rules\":[\"t\"],\"interpreter\":\"/bin/true\",\"argv\":["
                + "\"/bin/true\",\"./a\\\\xffb.jbt\",\"./a\\\\xffb.jbt\",\"arg\\\\xff\\\\\\\\\\u0001\\u0008\\u000c"
                + "\\\"x\",\"\"],\"preserve_argv0\":false,\"execfd\":false}", line);
        assertEquals(record, LogJson.read(line, "test:1"));
    }

    @Test
    void passAndFailRecordsNameThePathAndTheError() throws Exception {
        byte[] path = bytes("/usr/bin/", 0x1b, "\u00e9\u2028");
        ExecRequest request = new ExecRequest(4873, null, false, ExecRequest.AT_FDCWD, path, 0, 0, 0);
        String pass = LogJson.write(ExecLog.record(request, new ExecPlan.Passthrough(), 1796646046015L));
        assertEquals("{\"event\":\"exec\",\"time_ms\":1796646046015,\"pid\":4873,\"path\":\"/usr/bin/\\u001b\u00e9\u2028\","
                + "\"decision\":\"pass\"}", pass);
        LogRecord fail = ExecLog.record(request, new ExecPlan.Fail(8, "too many \"rules\""), 1796646046015L);
        assertEquals("{\"event\":\"exec\",\"time_ms\":1796646046015,\"pid\":4873,\"path\":\"/usr/bin/\\u001b\u00e9\u2028\","
                + "\"decision\":\"fail\",\"errno\":\"ENOEXEC\",\"reason\":\"too many \\\"rules\\\"\"}",
                LogJson.write(fail));
        assertEquals(fail, LogJson.read(LogJson.write(fail), "test:1"));
    }

    @Test
    void exitRecordsHaveExactMillisecondsAndNullForWhatWasNotMeasured() throws Exception {
        Rule t = RuleParser.parse(":t:E::jbt::/bin/true:".getBytes(), new RuleSource("test", 1));
        LogRecord exited = ExecLog.record(new ProcessOutcome(4885, 4885, PROGRAM, List.of(t),
                ProcessOutcome.End.EXITED, 0, 0, false, 31_160_999, 2764, 0, -1), 1796646046091L);
        assertEquals("{\"event\":\"exit\",\"time_ms\":1796646046091,\"pid\":4885,\"path\":\"./a\\\\xffb.jbt\","
                + "\"rules\":[\"t\"],\"status\":\"exited\",\"exit_code\":0,\"wall_ms\":31.160,\"user_ms\":2.764,"
                + "\"sys_ms\":0.000,\"max_rss_kb\":null}", LogJson.write(exited));
        assertEquals(exited, LogJson.read(LogJson.write(exited), "test:1"));
        LogRecord killed = ExecLog.record(new ProcessOutcome(5743, 5743, "./z.jbk".getBytes(), List.of(t),
                ProcessOutcome.End.KILLED, 0, 11, true, 4_659_000, -1, -1, 16056), 1796646051995L);
        assertEquals("{\"event\":\"exit\",\"time_ms\":1796646051995,\"pid\":5743,\"path\":\"./z.jbk\",\"rules\":"
                + "[\"t\"],\"status\":\"killed\",\"signal\":\"SIGSEGV\",\"core\":true,\"wall_ms\":4.659,"
                + "\"user_ms\":null,\"sys_ms\":null,\"max_rss_kb\":16056}", LogJson.write(killed));
        assertEquals(killed, LogJson.read(LogJson.write(killed), "test:1"));
    }

    /** Strings (as UTF-8) and single bytes, one after the other: paths as a program may pass them. */
    private static byte[] bytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof Integer b) {
                out.write(b);
            } else {
                out.writeBytes(((String) part).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
