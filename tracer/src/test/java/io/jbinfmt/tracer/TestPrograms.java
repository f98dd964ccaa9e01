package io.jbinfmt.tracer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;

/** Compiles the C test helpers in src/test/c (gcc; for i386 gcc -m32 or clang), once per build, into target/test-programs. */
public final class TestPrograms {
    private static final Path SOURCES = Path.of("src/test/c");
    private static final Path OUT = Path.of("target/test-programs");
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    /** Where .ci/install-deps unpacks Debian's libc6-dev-i386 and lib32gcc-12-dev (never installed). */
    private static final Path I386_ROOT = Path.of(System.getenv().getOrDefault("JBINFMT_I386_ROOT",
            "/opt/jbinfmt-ci/i386"));

    private TestPrograms() {
    }

    /** The executable built from {@code src/test/c/NAME.c}. */
    public static Path get(String name) {
        return BUILT.computeIfAbsent(name, n -> compile(n, List.of("gcc", "-O1", "-Wall", "-pthread")));
    }

    /** The executable built from {@code src/test/c/NAME.c}, statically linked: it runs in a bare chroot. */
    public static Path getStatic(String name) {
        return BUILT.computeIfAbsent(name + "-static", n -> compile(name, n, List.of("gcc", "-static", "-O1",
                "-Wall")));
    }

    /**
     * The i386 executable built from {@code src/test/c/NAME.c}, freestanding (no 32-bit libc, whose Debian
     * packages conflict with the cross compilers): clang -m32 -nostdlib with lld.
     */
    public static Path getI386(String name) {
        return BUILT.computeIfAbsent(name + "-i386", n -> compile(name, n, List.of("clang", "--target=i386-linux-gnu",
                "-m32", "-O1", "-ffreestanding", "-fno-stack-protector", "-nostdlib", "-static", "-fuse-ld=lld")));
    }

    /**
     * The i386 executable built from {@code src/test/c/NAME.c} with gcc -m32 against Debian's 32-bit glibc,
     * statically linked: a real libc program, whose execs go through the vDSO's syscall entry, not int 0x80.
     * The 32-bit development files come unpacked from .ci/install-deps (see there why not installed).
     */
    public static Path getI386Glibc(String name) {
        Path lib32 = I386_ROOT.resolve("usr/lib32");
        if (!Files.isRegularFile(lib32.resolve("libc.a"))) {
            throw new IllegalStateException(I386_ROOT + " has no 32-bit glibc: .ci/install-deps unpacks it there");
        }
        Path gccLib;
        try (var versions = Files.list(I386_ROOT.resolve("usr/lib/gcc/x86_64-linux-gnu"))) {
            gccLib = versions.map(v -> v.resolve("32")).filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new IllegalStateException(I386_ROOT + " has no 32-bit libgcc"));
        } catch (IOException e) {
            throw new IllegalStateException(I386_ROOT + " has no 32-bit libgcc (.ci/install-deps unpacks it)", e);
        }
        return BUILT.computeIfAbsent(name + "-i386-glibc", n -> compile(name, n, List.of("gcc", "-m32", "-static",
                "-O1", "-Wall", "-B" + lib32, "-B" + gccLib, "-L" + lib32, "-L" + gccLib,
                "-isystem", I386_ROOT.resolve("usr/include/x86_64-linux-gnu").toString(),
                "-isystem", "/usr/include/x86_64-linux-gnu")));
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
