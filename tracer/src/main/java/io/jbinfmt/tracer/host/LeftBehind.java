package io.jbinfmt.tracer.host;

import io.jbinfmt.tracer.sys.ProcessCalls;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The one sweep for what a jbinfmt killed before it could clean up left behind: entries {@code PREFIX-PID-...} of a
 * directory (session directories, cgroups) whose owner is gone. Each kind says how its owner's end is told and how
 * an entry is removed; this process's own entries are never touched.
 */
final class LeftBehind {
    private LeftBehind() {
    }

    /**
     * Removes, with {@code remove}, each {@code parent/PREFIX-PID-...} of another process for which {@code ownerGone}
     * (the entry, its PID as written) holds. Quiet: what cannot be read or removed is someone else's, or in use.
     */
    static void sweep(Path parent, String prefix, BiPredicate<Path, String> ownerGone, Consumer<Path> remove) {
        String ours = prefix + ProcessCalls.getpid() + "-";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent, prefix + "*")) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String rest = name.substring(prefix.length());
                int dash = rest.indexOf('-');
                if (name.startsWith(ours) || dash <= 0 || !rest.substring(0, dash).chars().allMatch(Character::isDigit)) {
                    continue;
                }
                if (ownerGone.test(p, rest.substring(0, dash))) {
                    remove.accept(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // nothing to sweep, or not ours to sweep
        }
    }

    /** Whether process {@code pid} has ended (this PID namespace's /proc has no entry for it). */
    static boolean gone(String pid) {
        return !Files.exists(Path.of("/proc", pid));
    }
}
