package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real foreign programs under bin/jbinfmt with examples/rules/foreign.conf: qemu-user for ELF, a #! runner for wasm. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ForeignProgramsIT implements EndToEndDriver {

    @Test
    void aarch64BinaryRunsThroughQemuFromAShellLoop() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        LauncherIT.Result r = LauncherIT.run(null, "--rules", ForeignFixtures.rules().toString(), "--",
                "sh", "-c", "for i in 1 2 3 4 5; do " + hello + " exit=$i; echo \"rc=$?\"; done");
        assertEquals(0, r.status(), r.err());
        for (int i = 1; i <= 5; i++) {
            assertTrue(r.out().contains("hello from " + hello + " argc=2 [exit=" + i + "]\nrc=" + i + "\n"), r.out());
        }
    }

    @Test
    void riscv64BinaryRunsDirectlyAsTheCommand() throws Exception {
        Path hello = ForeignFixtures.riscv64("hello");
        LauncherIT.Result r = LauncherIT.run(null, "--rules", ForeignFixtures.rules().toString(), "--",
                hello.toString(), "exit=7", "two words");
        assertEquals(7, r.status(), r.err());
        assertEquals("hello from " + hello + " argc=3 [exit=7] [two words]\n", r.out());
    }

    @Test
    void wasmModuleRunsThroughAHashBangScriptRunner() throws Exception {
        Path hello = ForeignFixtures.wasm("hello");
        LauncherIT.Result r = LauncherIT.run("piped in\n", "--rules", ForeignFixtures.rules().toString(), "--",
                hello.toString(), "cat");
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from " + hello + " argc=2 [cat]\npiped in\n", r.out());
    }

    @Test
    void withoutRulesTheKernelRefusesTheForeignBinary() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        LauncherIT.Result r = LauncherIT.run(null, "--no-defaults", "--", "sh", "-c", hello + "; echo rc=$?");
        assertTrue(r.out().contains("rc=126") || r.out().contains("rc=2"), r.out() + r.err());
    }
}
