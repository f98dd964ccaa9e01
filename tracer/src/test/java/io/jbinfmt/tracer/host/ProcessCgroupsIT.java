package io.jbinfmt.tracer.host;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Process groups in the real cgroup v2 tree: what a reused group counts, which groups are reused, what is left. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessCgroupsIT {
    private TreeCgroup tree;
    private ProcessCgroups groups;

    @BeforeEach
    void openTree() {
        try {
            tree = TreeCgroup.open();
        } catch (TreeCgroup.Unavailable u) {
            assumeTrue(false, "ProcessCgroupsIT: no cgroup of our own here, not applicable: " + u.getMessage());
        }
        groups = new ProcessCgroups(tree.directory());
    }

    @AfterEach
    void closeTree() throws Exception {
        if (tree == null) {
            return;
        }
        groups.close();
        try (Stream<Path> left = Files.list(tree.directory())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(ProcessCgroups.PREFIX))
                    .toList(), "every process group is removed at close");
        } finally {
            tree.close();
        }
    }

    /** A shell that waits for a line on its stdin (so that it can be moved first), then runs {@code script}. */
    private static Process waiting(String script) throws Exception {
        return new ProcessBuilder("sh", "-c", "read go; " + script).redirectErrorStream(true).start();
    }

    private static void go(Process p) throws Exception {
        p.getOutputStream().write('\n');
        p.getOutputStream().close();
    }

    private static String cgroupOf(long pid) throws Exception {
        return Files.readString(Path.of("/proc/" + pid + "/cgroup")).trim();
    }

    private static long total(long[] cpu) {
        assertTrue(cpu != null && cpu[0] >= 0 && cpu[1] >= 0, Arrays.toString(cpu));
        return cpu[0] + cpu[1];
    }

    @Test
    void aReusedGroupCountsOnlyItsNewProcess() throws Exception {
        Process busy = waiting("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done");
        ProcessCgroups.Group first = groups.adopt((int) busy.pid());
        assertTrue(cgroupOf(busy.pid()).endsWith("/" + first.directory().getFileName()), cgroupOf(busy.pid()));
        go(busy);
        assertEquals(0, busy.waitFor());
        long busyMicros = total(groups.release(first));
        assertTrue(busyMicros > 50_000, "the loop should take a while: " + busyMicros + " us");

        Process idle = waiting("exit 0");
        ProcessCgroups.Group second = groups.adopt((int) idle.pid());
        assertSame(first, second, "the empty group is reused");
        go(idle);
        assertEquals(0, idle.waitFor());
        long idleMicros = total(groups.release(second));
        // a group counted from zero would give the busy loop's time again
        assertTrue(idleMicros < 30_000 && idleMicros < busyMicros / 2,
                "the reused group counts " + idleMicros + " us for a shell that exits at once (the busy one before it: "
                        + busyMicros + " us)");
    }

    @Test
    void aGroupStillHoldingADescendantIsNotReused() throws Exception {
        Process parent = waiting("sleep 30 >/dev/null 2>&1 & echo $!");
        ProcessCgroups.Group first = groups.adopt((int) parent.pid());
        go(parent);
        long child = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream())).readLine());
        assertEquals(0, parent.waitFor());
        ProcessHandle sleeper = ProcessHandle.of(child).orElseThrow();
        try {
            assertTrue(total(groups.release(first)) >= 0);

            Process next = waiting("exit 0");
            ProcessCgroups.Group second = groups.adopt((int) next.pid());
            assertNotSame(first, second, "a group with a process left in it is not given to another");
            assertTrue(cgroupOf(child).endsWith("/" + first.directory().getFileName()), cgroupOf(child));
            assertTrue(cgroupOf(next.pid()).endsWith("/" + second.directory().getFileName()), cgroupOf(next.pid()));
            go(next);
            assertEquals(0, next.waitFor());
            groups.release(second);
        } finally {
            sleeper.destroyForcibly();
            sleeper.onExit().get(10, TimeUnit.SECONDS);
        }
        assertTrue(Files.isDirectory(first.directory()), "kept while its descendant lived");
    }
}
