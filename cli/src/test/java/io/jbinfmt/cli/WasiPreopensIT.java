package io.jbinfmt.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A wasm32-wasi module using files as a test does, under the default rules: it reads a file of its working
 * directory by a relative path, and writes then reads one under /tmp by an absolute path. Run by whichever WASI
 * runtime the defaults find: here node with the wasm-node runner (wasmtime and wasmer are not installed; their argv
 * is checked by WasiRunnersTest). The working directory is not under /tmp, so each preopen is shown on its own.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WasiPreopensIT implements EndToEndDriver {
    private Path cwd;
    private Path scratch;

    @BeforeAll
    static void nodeIsInstalled() {
        // a missing tool fails the test (never skips it): .ci/packages installs it
        assertNotNull(DefaultRules.onPath("node"), "node is not on PATH (apt-get install nodejs)");
    }

    @BeforeEach
    void directories() throws IOException {
        cwd = Files.createTempDirectory(Files.createDirectories(ForeignFixtures.OUT.resolve("wasi-cwd")), "run");
        Files.writeString(cwd.resolve("input.txt"), "in the working directory\n");
        scratch = Files.createTempDirectory(Path.of("/tmp"), "jbinfmt-wasi");
    }

    @AfterEach
    void removeScratch() throws IOException {
        for (Path dir : new Path[]{scratch, cwd}) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @Test
    void underTheDefaultsAModuleReadsItsWorkingDirectoryAndWritesTmp() throws Exception {
        copyModuleInto(cwd);
        Path out = scratch.resolve("out.txt");
        LauncherIT.Result r = run(cwd, "-v", "--", "./files.wasm", "input.txt", "write=" + out,
                "write=relative.txt");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("read input.txt: in the working directory\n"
                + "read " + out + ": written by ./files.wasm\n"
                + "read relative.txt: written by ./files.wasm\n", r.out());
        // on the host, where a native program would have put them
        assertEquals("written by ./files.wasm\n", Files.readString(out));
        assertEquals("written by ./files.wasm\n", Files.readString(cwd.resolve("relative.txt")));
        if (EngineUnderTest.seesNoExecs()) {
            EngineUnderTest.assertKernelEngineRan(r.err()); // the kernel ran the rule's wrapper with the --dir args
            return;
        }
        assertTrue(r.err().contains("exec ./files.wasm: rewrite by wasm32-wasi -> "), r.err());
        assertTrue(r.err().contains(" --dir=. --dir=/tmp -- ./files.wasm input.txt write=" + out + " "), r.err());
        System.out.println("WasiPreopensIT: " + r.err().lines().filter(l -> l.contains("rewrite by")).findFirst()
                .orElseThrow());
        if (DefaultRules.onPath("wasmtime") == null && DefaultRules.onPath("wasmer") == null) {
            assertTrue(r.err().contains("/runners/wasm-node --dir=. --dir=/tmp -- ./files.wasm"), r.err());
        }
    }

    @Test
    void rulesSaysWhatTheModuleMayOpen() throws Exception {
        LauncherIT.Result r = run(cwd, "rules");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("; they may open the working directory (as .) and /tmp, nothing else\n"
                + ":wasm32-wasi:M:0:\\x00\\x61\\x73\\x6d\\x01\\x00\\x00\\x00::"), r.out());
        assertTrue(r.out().contains("#jbinfmt:arg wasm32-wasi --dir=.\n#jbinfmt:arg wasm32-wasi --dir=/tmp\n"
                + "#jbinfmt:arg wasm32-wasi --\n"), r.out());
    }

    @Test
    void theRunnerGivesTheSameDirectoriesToARuleWithoutArguments() throws Exception {
        // examples/rules/foreign.conf runs wasm-node with no --dir, as the kernel's binfmt_misc would run it
        copyModuleInto(cwd);
        Path out = scratch.resolve("out.txt");
        LauncherIT.Result r = run(cwd, "--rules", ForeignFixtures.rules().toString(), "--",
                "./files.wasm", "input.txt", "write=" + out);
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("read input.txt: in the working directory\nread " + out + ": written by ./files.wasm\n",
                r.out());
    }

    /** The test module, as ./files.wasm of {@code dir}. */
    private static void copyModuleInto(Path dir) throws IOException {
        Path module = Files.copy(ForeignFixtures.wasmTestProgram("wasi_files"), dir.resolve("files.wasm"));
        module.toFile().setExecutable(true);
    }

    private static LauncherIT.Result run(Path dir, String... args) throws Exception {
        return LauncherIT.start(LauncherIT.jbinfmt(args).directory(dir.toFile()), null);
    }
}
