package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** examples/embedding runs as its comment says, against the built image, and reports what it should. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class EmbeddingExampleIT {
    private static final Path LIB = LauncherIT.REPO.resolve("cli/target/jbinfmt-image/lib");

    @Test
    void theEmbeddingExampleRunsOnTheClassPath() throws Exception {
        runs(List.of("--enable-native-access=ALL-UNNAMED", "-cp", LIB + "/*"));
    }

    /**
     * On the module path the tracer is the named module io.jbinfmt.tracer: the example compiles against what it
     * exports, and the tracer finds its own resources (the notify engine's guard program) inside the module.
     */
    @Test
    void theEmbeddingExampleRunsWithTheTracerAsAModule() throws Exception {
        runs(List.of("--enable-native-access=io.jbinfmt.tracer,io.jbinfmt.bindings",
                "--module-path", jar("jbinfmt-tracer-") + ":" + jar("jbinfmt-bindings-"),
                "--add-modules", "io.jbinfmt.tracer"));
    }

    /** A compile against what the module keeps to itself fails, naming the package it does not export. */
    @Test
    void theTracersEnginesAreNotExported(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path source = tmp.resolve("Peek.java");
        java.nio.file.Files.writeString(source, "class Peek { public static void main(String[] a) { "
                + "System.out.println(io.jbinfmt.tracer.engine.notify.NotifyEngine.class); } }");
        Process p = new ProcessBuilder(java(), "--module-path", jar("jbinfmt-tracer-") + ":" + jar("jbinfmt-bindings-"),
                "--add-modules", "io.jbinfmt.tracer", source.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(1, p.waitFor(), out);
        org.junit.jupiter.api.Assertions.assertTrue(out.contains("package io.jbinfmt.tracer.engine.notify is declared in "
                + "module io.jbinfmt.tracer, which does not export it"), out);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static Path jar(String prefix) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(LIB)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
        }
    }

    private static void runs(List<String> javaOptions) throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        List<String> command = new java.util.ArrayList<>(List.of(java()));
        command.addAll(javaOptions);
        command.addAll(List.of(LauncherIT.REPO.resolve("examples/embedding/RunUnderJbinfmt.java").toString(),
                ForeignFixtures.rules().toString(), "sh", "-c", hello + " exit=5"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertEquals(List.of(
                "exit status: 5",
                "output: hello from " + hello + " argc=2 [exit=5]",
                "exec /usr/bin/sh: pass",
                "exec " + hello + ": rewrite by qemu-aarch64",
                "rewrites per rule: {qemu-aarch64=1}"), out.lines().toList());
    }
}
