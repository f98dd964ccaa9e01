package io.jbinfmt.tracer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long soak: the 64-worker load of {@link LoadIT} round after round in one JVM. Not part of {@code mvn verify}:
 * it runs in the {@code soak} profile ({@code mvn -B -Psoak -pl tracer -am verify}), which .ci/run runs after it.
 * Its timeout is generous: it measures leaks, not speed, and must not fail because the machine is busy.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class LoadSoakIT {
    @TempDir
    Path tmp;

    @Test
    void repeatedLoadRunsLeaveNothingBehind() throws Exception {
        // Rounds of the 64-worker load in this JVM (10, or -Djbinfmt.soak.rounds): after each, the live heap (after a full GC), the
        // JVM's threads and its open descriptors must come back to where they were; a session that kept
        // anything (a table entry per exec, a thread, a descriptor) would show here.
        Files.writeString(tmp.resolve("f.noop"), "x").toFile().setExecutable(true);
        String script = """
                for w in $(seq 64); do
                    ( i=0; while [ $i -lt 78 ]; do /bin/true; ./f.noop; i=$((i+1)); done ) &
                done
                wait
                """;
        assertEquals(ExitStatus.exited(0), LoadIT.run(tmp, script)); // warm-up round: classes, JIT, arenas
        long heap0 = liveHeapBytes();
        int threads0 = Thread.activeCount();
        long fds0 = openDescriptors();
        StringBuilder report = new StringBuilder();
        int rounds = Integer.getInteger("jbinfmt.soak.rounds", 10);
        for (int round = 1; round <= rounds; round++) {
            assertEquals(ExitStatus.exited(0), LoadIT.run(tmp, script));
            report.append(String.format(" round %d: live heap %.1f MB, peak RSS %d MB;", round,
                    liveHeapBytes() / 1e6, LoadIT.peakRssKb() / 1024));
        }
        long heapN = liveHeapBytes();
        System.out.println("LoadSoakIT: " + rounds + " x 9984 execs:" + report);
        assertTrue(heapN - heap0 < 8_000_000, "live heap grew from " + heap0 + " to " + heapN + " bytes:" + report);
        assertEquals(threads0, Thread.activeCount(), "threads left behind");
        assertEquals(fds0, openDescriptors(), "descriptors left open");
    }

    static long liveHeapBytes() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long openDescriptors() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }
}
