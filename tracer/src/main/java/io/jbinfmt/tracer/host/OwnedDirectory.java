package io.jbinfmt.tracer.host;

import io.jbinfmt.tracer.sys.ProcessCalls;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A directory of one live jbinfmt session under the temp directory (interpreter aliases, kernel-engine wrappers),
 * named {@code PREFIX-PID-RANDOM} and held, for as long as it is in use, by a lock on its {@code owner} file.
 * Another jbinfmt removes such a directory (left by one that was killed) only once that lock is free. A pid could
 * not say so: a jbinfmt inside the kernel engine's PID namespace, with its fresh /proc, sees none of the host's
 * pids, and a pid may be another process's by now.
 */
public final class OwnedDirectory implements AutoCloseable {
    private static final String OWNER = "owner";
    /** A directory without an owner file is kept this long: its maker may be about to lock it. */
    private static final Duration GRACE = Duration.ofMinutes(1);

    private final Path path;
    /** Open for the directory's life: the lock lasts as long as this channel (and this process). */
    private final FileChannel owner;

    private OwnedDirectory(Path path, FileChannel owner) {
        this.path = path;
        this.owner = owner;
    }

    /** Sweeps the dead ones of {@code prefix} under {@code parent}, then makes and locks a new one, rwxr-xr-x. */
    public static OwnedDirectory create(Path parent, String prefix) throws IOException {
        sweepDead(parent, prefix);
        Path dir = parent.resolve(prefix + ProcessCalls.getpid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
        Files.createDirectory(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            FileChannel c = FileChannel.open(dir.resolve(OWNER), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            try {
                c.lock(); // a POSIX record lock: held until c is closed or this process ends
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
            return new OwnedDirectory(dir, c);
        } catch (IOException | RuntimeException e) {
            removeTree(dir);
            throw e;
        }
    }

    /** The directory. */
    public Path path() {
        return path;
    }

    /**
     * Removes the directories {@code parent/PREFIX-PID-...} whose owner is gone (killed before it could remove
     * its own). Those of this process are skipped: they are alive, and opening their owner file here would free
     * its lock (POSIX locks belong to the process, and closing any descriptor of the file releases them).
     */
    static void sweepDead(Path parent, String prefix) {
        LeftBehind.sweep(parent, prefix, OwnedDirectory::ownerGone, OwnedDirectory::removeTree);
    }

    /** Whether {@code dir}'s owner has ended: its lock is free (a shared lock can be had), or, without an owner file, its pid is gone. */
    private static boolean ownerGone(Path dir, String pid) {
        try (FileChannel c = FileChannel.open(dir.resolve(OWNER), StandardOpenOption.READ)) {
            FileLock free = c.tryLock(0, Long.MAX_VALUE, true);
            return free != null; // released as c closes
        } catch (NoSuchFileException e) {
            // made by a jbinfmt from before owner files, or one still making it: a grace period, then its pid
            try {
                FileTime made = Files.getLastModifiedTime(dir);
                return made.toInstant().plus(GRACE).isBefore(Instant.now()) && LeftBehind.gone(pid);
            } catch (IOException gone) {
                return false;
            }
        } catch (IOException | OverlappingFileLockException e) {
            return false; // cannot tell: keep it
        }
    }

    /** Removes the directory, then frees the lock. */
    @Override
    public void close() {
        removeTree(path);
        try {
            owner.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }

    /** Removes {@code top} and everything in it, quietly. */
    static void removeTree(Path top) {
        try {
            Files.walkFileTree(top, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | RuntimeException e) {
            // another jbinfmt swept it meanwhile, or it is not ours
        }
    }
}
