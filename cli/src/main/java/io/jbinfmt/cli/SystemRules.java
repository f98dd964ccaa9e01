package io.jbinfmt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The host's rule files, in the order they are registered at boot: binfmt-support's package files
 * (/usr/share/binfmts), then binfmt.d's *.conf files chosen as systemd does (a file name in an earlier directory
 * overrides the same name in a later one; a link to /dev/null masks it) and taken in name order.
 */
final class SystemRules {
    /** Where the host's files are looked up: / unless -Djbinfmt.sysroot names another root (tests, rootfs). */
    private static final Path ROOT = Path.of(System.getProperty("jbinfmt.sysroot", "/"));
    static final List<Path> BINFMT_D = List.of(ROOT.resolve("etc/binfmt.d"), ROOT.resolve("run/binfmt.d"),
            ROOT.resolve("usr/local/lib/binfmt.d"), ROOT.resolve("usr/lib/binfmt.d"));
    static final Path BINFMT_SUPPORT = ROOT.resolve("usr/share/binfmts");

    private SystemRules() {
    }

    static List<Path> files() {
        List<Path> out = new ArrayList<>(listSorted(BINFMT_SUPPORT, p -> true));
        Map<String, Path> byName = new TreeMap<>();
        for (Path dir : BINFMT_D) {
            for (Path f : listSorted(dir, p -> p.getFileName().toString().endsWith(".conf"))) {
                byName.putIfAbsent(f.getFileName().toString(), f);
            }
        }
        for (Path f : byName.values()) {
            if (!isMasked(f)) {
                out.add(f);
            }
        }
        return out;
    }

    private static boolean isMasked(Path f) {
        try {
            return Files.isSymbolicLink(f) && Files.readSymbolicLink(f).equals(Path.of("/dev/null"));
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> listSorted(Path dir, java.util.function.Predicate<Path> keep) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(keep).filter(p -> !Files.isDirectory(p)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
