package io.jbinfmt.tracer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;

/** Compiles the C test helpers in src/test/c (gcc, or clang for i386), once per build, into target/test-programs. */
public final class TestPrograms {
    private static final Path SOURCES = Path.of("src/test/c");
    private static final Path OUT = Path.of("target/test-programs");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    private TestPrograms() {
    }

    /** The executable built from {@code src/test/c/NAME.c}. */
    public static Path get(String name) {
        return BUILT.computeIfAbsent(name, n -> compile(n, List.of("gcc", "-O1", "-Wall", "-pthread")));
    }

    /**
     * The i386 executable built from {@code src/test/c/NAME.c}, freestanding (no 32-bit libc, whose Debian
     * packages conflict with the cross compilers): clang -m32 -nostdlib with lld.
     */
    public static Path getI386(String name) {
        return BUILT.computeIfAbsent(name + "-i386", n -> compile(name, n, List.of("clang", "--target=i386-linux-gnu",
                "-m32", "-O1", "-ffreestanding", "-fno-stack-protector", "-nostdlib", "-static", "-fuse-ld=lld")));
    }

    private static Path compile(String name, List<String> compiler) {
        return compile(name, name, compiler);
    }

    private static Path compile(String name, String output, List<String> compiler) {
        try {
            Files.createDirectories(OUT);
            Path source = SOURCES.resolve(name + ".c");
            Path binary = OUT.resolve(output).toAbsolutePath();
            List<String> cmd = new java.util.ArrayList<>(compiler);
            cmd.addAll(List.of("-o", binary.toString(), source.toString()));
            Process gcc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(gcc.getInputStream().readAllBytes());
            if (gcc.waitFor() != 0) {
                throw new IllegalStateException(compiler.getFirst() + " failed for " + source + ":\n" + log);
            }
            return binary;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + compiler.getFirst() + " (.ci/install-deps installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
