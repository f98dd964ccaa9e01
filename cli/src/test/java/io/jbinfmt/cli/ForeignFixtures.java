package io.jbinfmt.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Foreign programs built at test time from examples/demo/src and src/test/c (never committed binaries): static
 * aarch64 and riscv64 ELFs with Debian's cross compilers (and dynamic aarch64 ones, linked against the cross
 * sysroot), wasm32-wasi modules with clang + wasi-libc, and 64-bit Windows programs with mingw-w64. A missing
 * toolchain fails the test with the package to install (.ci/run installs them all).
 */
final class ForeignFixtures {
    static final Path OUT = Path.of("target/foreign").toAbsolutePath();
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    private static final List<String> WASM_CC = List.of("clang", "--target=wasm32-wasi", "-O1");
    private static final String WASM_PACKAGES = "clang lld wasi-libc libclang-rt-14-dev-wasm32";

    private ForeignFixtures() {
    }

    static Path aarch64(String name) {
        return build(name + "-aarch64", List.of("aarch64-linux-gnu-gcc", "-static", "-O1"), demo(name),
                "gcc-aarch64-linux-gnu");
    }

    /** Built for ARMv8.1 with inline LSE atomics (no outline helpers), so an ARMv8.0 CPU model dies with SIGILL. */
    static Path aarch64Lse(String name) {
        return build(name + "-aarch64", List.of("aarch64-linux-gnu-gcc", "-static", "-O1", "-march=armv8.1-a",
                "-mno-outline-atomics"), demo(name), "gcc-aarch64-linux-gnu");
    }

    /** Linked dynamically, as {@code aarch64-linux-gnu-gcc hello.c} does: it needs /lib/ld-linux-aarch64.so.1. */
    static Path aarch64Dynamic(String name) {
        return build(name + "-aarch64-dynamic", List.of("aarch64-linux-gnu-gcc", "-O1"), demo(name),
                "gcc-aarch64-linux-gnu libc6-dev-arm64-cross");
    }

    static Path riscv64(String name) {
        return build(name + "-riscv64", List.of("riscv64-linux-gnu-gcc", "-static", "-O1"), demo(name),
                "gcc-riscv64-linux-gnu");
    }

    static Path wasm(String name) {
        return build(name + ".wasm", WASM_CC, demo(name), WASM_PACKAGES);
    }

    /** A wasm32-wasi module from one of the test sources, src/test/c/NAME.c. */
    static Path wasmTestProgram(String name) {
        return build(name + ".wasm", WASM_CC, LauncherIT.REPO.resolve("cli/src/test/c").resolve(name + ".c"),
                WASM_PACKAGES);
    }

    /** A 64-bit Windows console program (PE32+), run through wine. */
    static Path windows(String name) {
        return build(name + ".exe", List.of("x86_64-w64-mingw32-gcc", "-O1"), demo(name),
                "gcc-mingw-w64-x86-64-win32");
    }

    private static Path demo(String name) {
        return LauncherIT.REPO.resolve("examples/demo/src").resolve(name + ".c");
    }

    /** The rules file for the examples, with the runner path filled in. */
    static Path rules() throws IOException {
        Path repo = LauncherIT.REPO;
        String text = Files.readString(repo.resolve("examples/rules/foreign.conf"))
                .replace("@RUNNERS@", repo.resolve("examples/runners").toString());
        Files.createDirectories(OUT);
        return Files.writeString(OUT.resolve("foreign.conf"), text);
    }

    private static Path build(String output, List<String> compiler, Path source, String packages) {
        return BUILT.computeIfAbsent(output, o -> {
            try {
                Files.createDirectories(OUT);
                Path bin = OUT.resolve(o);
                List<String> cmd = new java.util.ArrayList<>(compiler);
                cmd.addAll(List.of("-o", bin.toString(), source.toString()));
                Process p;
                try {
                    p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                } catch (IOException e) {
                    throw new AssertionError(compiler.getFirst() + " is not installed (apt-get install " + packages
                            + "; .ci/run does)", e);
                }
                String log = new String(p.getInputStream().readAllBytes());
                if (p.waitFor() != 0) {
                    throw new AssertionError("building " + o + " failed (needs " + packages + "):\n" + log);
                }
                bin.toFile().setExecutable(true);
                return bin;
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        });
    }
}
