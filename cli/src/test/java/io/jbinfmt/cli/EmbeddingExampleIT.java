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
    @Test
    void theEmbeddingExampleRuns() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path repo = LauncherIT.REPO;
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                repo.resolve("cli/target/jbinfmt-image/lib") + "/*",
                repo.resolve("examples/embedding/RunUnderJbinfmt.java").toString(),
                ForeignFixtures.rules().toString(), "sh", "-c", hello + " exit=5")
                .redirectErrorStream(true).start();
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
