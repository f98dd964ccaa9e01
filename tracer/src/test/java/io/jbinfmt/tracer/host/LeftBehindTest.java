package io.jbinfmt.tracer.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one sweep of what killed jbinfmt processes left behind: which entries it asks about, and which it removes. */
class LeftBehindTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void onlyEntriesOfOtherProcessesWhoseOwnerIsGoneAreRemoved(@TempDir Path dir) throws Exception {
        for (String name : List.of("jbinfmt-names-7-a", "jbinfmt-names-8-b", "jbinfmt-names-" + SELF + "-c",
                "jbinfmt-names-x-d", "jbinfmt-names--e", "jbinfmt-names-9", "other-7-f")) {
            Files.createDirectory(dir.resolve(name));
        }
        List<String> asked = new ArrayList<>();
        LeftBehind.sweep(dir, "jbinfmt-names-", (entry, pid) -> {
            asked.add(entry.getFileName() + ":" + pid);
            return pid.equals("7");
        }, entry -> {
            try {
                Files.delete(entry);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(Set.of("jbinfmt-names-7-a:7", "jbinfmt-names-8-b:8"), Set.copyOf(asked),
                "asked about other processes' well-formed entries only (not ours, not a malformed pid)");
        try (var left = Files.list(dir)) {
            assertEquals(Set.of("jbinfmt-names-8-b", "jbinfmt-names-" + SELF + "-c", "jbinfmt-names-x-d",
                    "jbinfmt-names--e", "jbinfmt-names-9", "other-7-f"),
                    left.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void aDirectoryThatCannotBeReadIsQuietlyLeft(@TempDir Path dir) {
        LeftBehind.sweep(dir.resolve("missing"), "jbinfmt-", (e, p) -> true, e -> {
            throw new AssertionError("nothing to remove");
        });
    }

    @Test
    void aProcessIsGoneWhenProcHasNoEntryForIt() throws Exception {
        assertFalse(LeftBehind.gone(Long.toString(SELF)), "this process");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertTrue(LeftBehind.gone(Long.toString(p.pid())), "a reaped child");
    }
}
