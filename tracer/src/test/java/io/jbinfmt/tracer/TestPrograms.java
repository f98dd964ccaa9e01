package io.jbinfmt.tracer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

/** Compiles the C test helpers in src/test/c with the host gcc, once per build, into target/test-programs. */
public final class TestPrograms {
    private static final Path SOURCES = Path.of("src/test/c");
    private static final Path OUT = Path.of("target/test-programs");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private TestPrograms() {
    }

    /** The executable built from {@code src/test/c/NAME.c}. */
    public static Path get(String name) {
        return BUILT.computeIfAbsent(name, TestPrograms::compile);
    }

    private static Path compile(String name) {
        try {
            Files.createDirectories(OUT);
            Path source = SOURCES.resolve(name + ".c");
            Path binary = OUT.resolve(name).toAbsolutePath();
            Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-pthread", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String log = new String(gcc.getInputStream().readAllBytes());
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException("gcc failed for " + source + ":\n" + log);
            }
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run gcc (install it: .ci/run does)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
