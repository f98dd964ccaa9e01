package io.jbinfmt.tracer.host;

import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Scratch;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Cgroups of their own, inside the notify engine's tree group, for rewritten processes whose CPU time is wanted.
 * <p>
 * Why: that engine lets a rewritten process go after its exec, and its parent reaps it; once reaped, nothing of
 * its CPU time is left to read, and reading /proc at its exit races with that reaping. A cgroup keeps the time
 * ({@code cpu.stat}, counted without any controller enabled) after its last process has gone. The group is a
 * sibling of the others (flat, {@code p-N}): what the process starts is born in it and counted with it until
 * a rewritten exec of its own moves it to another. Moving a process costs a cgroup migration (~0.2 ms measured
 * here), so this runs only when outcomes are asked for.
 * <p>
 * This runs on the exec path, the process waiting: a group whose process has ended and that holds nothing more
 * is kept for the next process instead of being removed (mkdir and rmdir of a cgroup cost kernfs a score of
 * files each), and its descriptors stay open, so that moving a process in and reading its time are one call
 * each. A reused group's {@code cpu.stat} goes on from where the last process left it: that reading, taken once
 * the group was empty (nothing can be born in an empty group), is the baseline subtracted. user_usec and
 * system_usec are the kernel's split of the group's whole run time in the ratio of its ticks, monotonic each,
 * so the difference of two readings adds up exactly to the new process's run time; its split between the two
 * leans toward the group's earlier ratio where the new process ran for fewer ticks than the group had before.
 */
public final class ProcessCgroups {
    static final String PREFIX = "p-";
    /** Groups kept for reuse, at most: three descriptors each. Beyond this, an ended process's group is removed. */
    static final int MAX_FREE = 64;

    private final String tree;
    private final ArrayDeque<Group> free = new ArrayDeque<>();
    /** Groups whose process ended while descendants lived on in them: removed at {@link #close}. */
    private final List<Group> busy = new ArrayList<>();
    private int count;

    /** A process's group: its directory, the descriptors kept open while it lives, its CPU time before its process. */
    public static final class Group {
        private final byte[] dir;
        private int procs = -1;
        private int cpuStat = -1;
        private int events = -1;
        private long baseUser;
        private long baseSystem;

        private Group(byte[] dir) {
            this.dir = dir;
        }

        /** The group's directory. */
        public Path directory() {
            return Path.of(new String(dir, StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return new String(dir, StandardCharsets.UTF_8);
        }
    }

    /** @param tree the tree's group ({@link TreeCgroup#directory()}) */
    public ProcessCgroups(Path tree) {
        this.tree = tree.toString();
    }

    /**
     * Moves process {@code pid} into a group of its own: one left empty by an ended process, or a new one. Returns
     * the group.
     */
    public Group adopt(int pid) throws ErrnoException {
        Group g = free.poll();
        if (g == null) {
            g = create();
        }
        try (Scratch s = Scratch.enter()) {
            byte[] digits = Integer.toString(pid).getBytes(StandardCharsets.US_ASCII);
            MemorySegment buf = s.allocate(digits.length);
            MemorySegment.copy(digits, 0, buf, ValueLayout.JAVA_BYTE, 0, digits.length);
            FileCalls.pwrite(g.procs, buf, 0);
        } catch (ErrnoException e) {
            free.push(g); // nothing moved in: still empty, its baseline still true
            throw new ErrnoException("move process " + pid + " into " + g, e.errno());
        }
        return g;
    }

    private Group create() throws ErrnoException {
        Group g = new Group((tree + "/" + PREFIX + (++count)).getBytes(StandardCharsets.UTF_8));
        FileCalls.mkdir(g.dir, 0755);
        try {
            g.procs = open(g, "cgroup.procs", FileCalls.O_WRONLY);
            g.cpuStat = open(g, "cpu.stat", FileCalls.O_RDONLY);
            g.events = open(g, "cgroup.events", FileCalls.O_RDONLY);
        } catch (ErrnoException e) {
            remove(g);
            throw e;
        }
        return g;
    }

    private static int open(Group g, String file, int mode) throws ErrnoException {
        byte[] name = file.getBytes(StandardCharsets.US_ASCII);
        byte[] path = new byte[g.dir.length + 1 + name.length];
        System.arraycopy(g.dir, 0, path, 0, g.dir.length);
        path[g.dir.length] = '/';
        System.arraycopy(name, 0, path, g.dir.length + 1, name.length);
        return FileCalls.open(FileCalls.AT_FDCWD, path, mode | FileCalls.O_CLOEXEC);
    }

    /**
     * The process of group {@code g} has ended: the CPU time the group used since that process moved in, its
     * descendants' included, in microseconds {user, system} (null when unreadable). The group is kept for reuse if
     * nothing is left in it, removed at {@link #close} otherwise; {@code g} is not to be used again.
     */
    public long[] release(Group g) {
        long[] now = null;
        boolean empty = false;
        try (Scratch s = Scratch.enter()) {
            MemorySegment buf = s.allocate(512);
            // emptiness first, then the time: read the other way round, a descendant could run between the two
            // and its time would count against the next process
            empty = populated(buf, FileCalls.pread(g.events, buf, 0)) == 0;
            now = cpuMicros(buf, FileCalls.pread(g.cpuStat, buf, 0));
        } catch (ErrnoException e) {
            empty = false; // not readable: not to be trusted with another process either
        }
        long[] used = now == null ? null : new long[] {now[0] - g.baseUser, now[1] - g.baseSystem};
        if (empty && now != null && free.size() < MAX_FREE) {
            g.baseUser = now[0];
            g.baseSystem = now[1];
            free.push(g);
        } else if (!empty || !remove(g)) {
            closeDescriptors(g); // still holds descendants: its name is enough to remove it at the end
            busy.add(g);
        }
        return used;
    }

    /** Removes the groups left (call once the tree has ended: they are empty then). */
    public void close() {
        for (Group g : free) {
            remove(g);
        }
        free.clear();
        busy.removeIf(ProcessCgroups::remove);
    }

    /** Removes every process group under {@code tree} that is empty (for a tree group about to be removed). */
    static void removeAll(Path tree) {
        try (DirectoryStream<Path> groups = Files.newDirectoryStream(tree, PREFIX + "*")) {
            for (Path g : groups) {
                FileCalls.rmdir(g.toString().getBytes(StandardCharsets.UTF_8)); // EBUSY: still populated
            }
        } catch (IOException | RuntimeException e) {
            // gone, still populated, or not readable: the tree's own removal says what is left
        }
    }

    /** Closes the group's descriptors and removes it; false when it is still populated. */
    private static boolean remove(Group g) {
        closeDescriptors(g);
        int errno = FileCalls.rmdir(g.dir);
        return errno == 0 || errno == Errno.ENOENT.code; // gone with the tree already
    }

    private static void closeDescriptors(Group g) {
        for (int fd : new int[] {g.procs, g.cpuStat, g.events}) {
            if (fd >= 0) {
                FileCalls.close(fd);
            }
        }
        g.procs = g.cpuStat = g.events = -1;
    }

    /** {user_usec, system_usec} of the first {@code n} bytes of {@code buf}, a cpu.stat; null if either is missing. */
    static long[] cpuMicros(MemorySegment buf, long n) {
        long user = field(buf, n, USER);
        long system = field(buf, n, SYSTEM);
        return user < 0 || system < 0 ? null : new long[] {user, system};
    }

    /** The populated count of the first {@code n} bytes of {@code buf}, a cgroup.events; -1 if missing. */
    static long populated(MemorySegment buf, long n) {
        return field(buf, n, POPULATED);
    }

    private static final byte[] USER = "user_usec ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SYSTEM = "system_usec ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] POPULATED = "populated ".getBytes(StandardCharsets.US_ASCII);

    /** The decimal value of the line "KEY VALUE" among the "key value" lines of {@code buf}; -1 if absent. */
    private static long field(MemorySegment buf, long n, byte[] key) {
        long line = 0;
        while (line < n) {
            long i = 0;
            while (i < key.length && line + i < n && buf.get(ValueLayout.JAVA_BYTE, line + i) == key[(int) i]) {
                i++;
            }
            long at = line + i;
            if (i == key.length) {
                long value = -1;
                for (byte b; at < n && (b = buf.get(ValueLayout.JAVA_BYTE, at)) >= '0' && b <= '9'; at++) {
                    value = (value < 0 ? 0 : value * 10) + (b - '0');
                }
                return value;
            }
            while (at < n && buf.get(ValueLayout.JAVA_BYTE, at) != '\n') {
                at++;
            }
            line = at + 1;
        }
        return -1;
    }
}
