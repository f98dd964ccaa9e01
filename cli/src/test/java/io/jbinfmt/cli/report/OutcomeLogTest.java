package io.jbinfmt.cli.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Reading JSON log files: records in file order, and files or lines that cannot be read named by FILE:LINE. */
class OutcomeLogTest {
    @TempDir
    Path tmp;

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
