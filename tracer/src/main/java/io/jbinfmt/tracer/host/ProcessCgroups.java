package io.jbinfmt.tracer.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cgroups of their own, inside the notify engine's tree group, for rewritten processes whose CPU time is wanted.
 * <p>
 * Why: that engine lets a rewritten process go after its exec, and its parent reaps it; once reaped, nothing of
 * its CPU time is left to read, and reading /proc at its exit races with that reaping. A cgroup keeps the time
 * ({@code cpu.stat}, counted without any controller enabled) after its last process has gone. The group is a
 * sibling of the others (flat, {@code p-PID-N}): what the process starts is born in it and counted with it until
 * a rewritten exec of its own moves it to another. Moving a process costs a cgroup migration (~0.2 ms measured
 * here), so this runs only when outcomes are asked for.
 */
public final class ProcessCgroups {
    static final String PREFIX = "p-";

    private final Path tree;
    private final List<Path> busy = new ArrayList<>();
    private int count;

    /** @param tree the tree's group ({@link TreeCgroup#directory()}) */
    public ProcessCgroups(Path tree) {
        this.tree = tree;
    }

    /** Moves process {@code pid} into a new group of its own; returns the group. */
    public Path adopt(int pid) throws IOException {
        Path dir = tree.resolve(PREFIX + pid + "-" + (++count));
        Files.createDirectory(dir);
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Integer.toString(pid));
        } catch (IOException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
        return dir;
    }

    /**
     * The CPU time the group's processes used, in microseconds: {user, system}; null when unreadable. Counts
     * the processes gone from it too.
     */
    public static long[] cpuMicros(Path group) {
        long user = -1;
        long system = -1;
        try {
            for (String line : Files.readAllLines(group.resolve("cpu.stat"))) {
                if (line.startsWith("user_usec ")) {
                    user = Long.parseLong(line.substring(10).trim());
                } else if (line.startsWith("system_usec ")) {
                    system = Long.parseLong(line.substring(12).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return null;
        }
        return user < 0 || system < 0 ? null : new long[] {user, system};
    }

    /** Removes a group whose process has ended; one that still holds its descendants is removed at {@link #close}. */
    public void release(Path group) {
        if (!removed(group)) {
            busy.add(group);
        }
    }

    /** Removes the groups left (call once the tree has ended: they are empty then). */
    public void close() {
        busy.removeIf(ProcessCgroups::removed);
    }

    /** Removes every process group under {@code tree} that is empty (for a tree group about to be removed). */
    static void removeAll(Path tree) {
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(tree, PREFIX + "*")) {
            for (Path g : groups) {
                removed(g);
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not readable: the tree's own removal says what is left
        }
    }

    private static boolean removed(Path group) {
        try {
            Files.deleteIfExists(group);
            return true;
        } catch (IOException e) {
            return false; // still populated
        }
    }
}
