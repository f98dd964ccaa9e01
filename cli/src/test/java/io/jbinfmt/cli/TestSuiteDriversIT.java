package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the blog post that started jbinfmt needed: test-suite drivers that build nothing and only exec what they
 * find (shell, make, Python), unchanged, while jbinfmt routes each foreign exec to the right emulator.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TestSuiteDriversIT implements EndToEndDriver {
    @TempDir
    Path tmp;

    private Path guests() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("guests"));
        link(dir, "hello-aarch64", ForeignFixtures.aarch64("hello"));
        link(dir, "hello-riscv64", ForeignFixtures.riscv64("hello"));
        link(dir, "hello.wasm", ForeignFixtures.wasm("hello"));
        link(dir, "upper-riscv64", ForeignFixtures.riscv64("upper"));
        link(dir, "upper-aarch64", ForeignFixtures.aarch64("upper"));
        link(dir, "tag.wasm", ForeignFixtures.wasm("tag"));
        link(dir, "spawn-aarch64", ForeignFixtures.aarch64("spawn"));
        return dir;
    }

    private static void link(Path dir, String name, Path target) throws Exception {
        Files.copy(target, dir.resolve(name));
        Files.setPosixFilePermissions(dir.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private LauncherIT.Result underRules(String stdin, String... command) throws Exception {
        List<String> args = new ArrayList<>(List.of("--rules", ForeignFixtures.rules().toString(), "--"));
        args.addAll(List.of(command));
        return LauncherIT.run(stdin, args.toArray(String[]::new));
    }

    @Test
    void aShellDriverExecsDirectlyAndThroughShC() throws Exception {
        Path g = guests();
        Path driver = Files.writeString(g.resolve("run-tests.sh"), """
                #!/bin/sh
                cd "$(dirname "$0")"
                pass=0
                for t in ./hello-aarch64 ./hello-riscv64 ./hello.wasm; do
                    if out=$($t probe) && [ "$out" = "hello from $t argc=2 [probe]" ]; then pass=$((pass+1)); fi
                    sh -c "$t exit=0" >/dev/null && pass=$((pass+1))
                done
                echo "passed $pass of 6"
                """);
        Files.setPosixFilePermissions(driver, PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherIT.Result r = underRules(null, driver.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("passed 6 of 6\n", r.out());
    }

    @Test
    void aMakefileRunsForeignTestsInParallel() throws Exception {
        Path g = guests();
        Files.writeString(g.resolve("Makefile"), """
                TESTS = t-aarch64 t-riscv64 t-wasm
                check: $(TESTS)
                \t@echo all passed
                t-aarch64:
                \t@./hello-aarch64 exit=0 > $@.log
                t-riscv64:
                \t@./hello-riscv64 exit=0 > $@.log
                t-wasm:
                \t@./hello.wasm exit=0 > $@.log
                """);
        LauncherIT.Result r = underRules(null, "make", "-s", "-j3", "-C", g.toString(), "check");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().endsWith("all passed\n"), r.out());
        assertEquals("hello from ./hello.wasm argc=2 [exit=0]\n", Files.readString(g.resolve("t-wasm.log")));
    }

    @Test
    void aPythonDriverUsesSubprocess() throws Exception {
        Path g = guests();
        Path driver = Files.writeString(g.resolve("driver.py"), """
                import subprocess, sys, os
                os.chdir(os.path.dirname(os.path.abspath(__file__)))
                ok = 0
                for exe, expected in [("./hello-aarch64", 3), ("./hello-riscv64", 4), ("./hello.wasm", 5)]:
                    p = subprocess.run([exe, "exit=%d" % expected], capture_output=True, text=True)
                    if p.returncode == expected and p.stdout.startswith("hello from " + exe):
                        ok += 1
                    else:
                        print("FAIL", exe, p.returncode, repr(p.stdout), repr(p.stderr))
                up = subprocess.run(["./upper-aarch64"], input="piped through\\n", capture_output=True, text=True)
                ok += up.stdout == "PIPED THROUGH\\n"
                print("ok %d/4" % ok)
                sys.exit(0 if ok == 4 else 1)
                """);
        LauncherIT.Result r = underRules(null, "python3", driver.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("ok 4/4\n", r.out());
    }

    @Test
    void onePipelineCrossesFourPlatforms() throws Exception {
        Path g = guests();
        LauncherIT.Result r = underRules("through the pipe\n", "sh", "-c",
                "cd " + g + " && ./hello-aarch64 cat | ./upper-riscv64 | ./tag.wasm wasm | tr ' ' _");
        assertEquals(0, r.status(), r.err());
        assertEquals("[wasm]_HELLO_FROM_./HELLO-AARCH64_ARGC=2_[CAT]\n[wasm]_THROUGH_THE_PIPE\n", r.out());
    }

    @Test
    void exitCodesSignalsAndStderrOfGuestsPassThrough() throws Exception {
        Path g = guests();
        LauncherIT.Result r = underRules(null, "sh", "-c", "cd " + g + "; ./hello-aarch64 exit=42; echo \"a=$?\"; "
                + "./hello-riscv64 signal=15; echo \"r=$?\"; ./hello.wasm stderr 2>&1 >/dev/null");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("a=42\n"), r.out());
        assertTrue(r.out().contains("r=143\n"), r.out());
        assertTrue(r.out().contains("to stderr from ./hello.wasm\n"), r.out());
        LauncherIT.Result direct = underRules(null, g.resolve("hello-aarch64").toString(), "signal=9");
        assertEquals(137, direct.status(), "jbinfmt exits 128+N when the guest dies by signal N");
    }

    @Test
    void twoSessionsAtOnceSendTheSameModuleToDifferentRunners() throws Exception {
        Path g = guests();
        Path runners = LauncherIT.REPO.resolve("examples/runners");
        List<Path> rules = new ArrayList<>();
        for (String engine : List.of("engine-a", "engine-b")) {
            Path runner = Files.writeString(tmp.resolve(engine), "#!/bin/sh\necho \"" + engine + " runs $1\"\n"
                    + "exec " + runners.resolve("wasm-node") + " \"$@\"\n");
            Files.setPosixFilePermissions(runner, PosixFilePermissions.fromString("rwxr-xr-x"));
            rules.add(Files.writeString(tmp.resolve(engine + ".conf"),
                    ":wasm:M::\\x00asm\\x01\\x00\\x00\\x00::" + runner + ":\n"));
        }
        String loop = "cd " + g + "; for i in 1 2 3 4 5; do ./hello.wasm $i; done";
        CompletableFuture<LauncherIT.Result> a = CompletableFuture.supplyAsync(() -> run(rules.get(0), loop));
        CompletableFuture<LauncherIT.Result> b = CompletableFuture.supplyAsync(() -> run(rules.get(1), loop));
        for (var pair : List.of(List.of(a.get(), "engine-a"), List.of(b.get(), "engine-b"))) {
            LauncherIT.Result r = (LauncherIT.Result) pair.get(0);
            String engine = (String) pair.get(1);
            assertEquals(0, r.status(), r.err());
            for (int i = 1; i <= 5; i++) {
                assertTrue(r.out().contains(engine + " runs ./hello.wasm\nhello from ./hello.wasm argc=2 [" + i + "]\n"),
                        r.out());
            }
            assertTrue(!r.out().contains(engine.equals("engine-a") ? "engine-b" : "engine-a"), r.out());
        }
    }

    private static LauncherIT.Result run(Path rules, String script) {
        try {
            return LauncherIT.run(null, "--rules", rules.toString(), "--", "sh", "-c", script);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aScriptWhoseInterpreterIsAForeignBinary() throws Exception {
        Path g = guests();
        Path script = Files.writeString(g.resolve("script"), "#!" + g.resolve("hello-aarch64") + " from-shebang\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherIT.Result r = underRules(null, script.toString(), "x");
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from " + g.resolve("hello-aarch64") + " argc=4 [from-shebang] [" + script + "] [x]\n",
                r.out());
    }

    @Test
    void aForeignProgramStartsForeignAndNativePrograms() throws Exception {
        Path g = guests();
        LauncherIT.Result r = underRules(null, "sh", "-c", "cd " + g + " && ./spawn-aarch64 './hello-riscv64 one' "
                + "'./hello.wasm two' 'echo native'");
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                hello from ./hello-riscv64 argc=2 [one]
                spawn: './hello-riscv64 one' exited 0
                hello from ./hello.wasm argc=2 [two]
                spawn: './hello.wasm two' exited 0
                native
                spawn: 'echo native' exited 0
                """, r.out());
    }

    @Test
    void preserveArgv0ReachesTheGuestThroughQemuAndThroughDebiansBinfmtP() throws Exception {
        Path g = guests();
        String magic = ":qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00"
                + "\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff"
                + "\\xff\\xff:";
        // Debian's /usr/libexec/qemu-binfmt/aarch64-binfmt-P is a link to qemu-aarch64 named so that qemu expects
        // the P argv layout; the same link, made here
        Path binfmtP = tmp.resolve("aarch64-binfmt-P");
        Files.createSymbolicLink(binfmtP, Path.of("/usr/bin/qemu-aarch64"));
        for (String rule : List.of(magic + "/usr/bin/qemu-aarch64:P", magic + binfmtP + ":P",
                magic + "/usr/bin/qemu-aarch64:")) {
            LauncherIT.Result r = LauncherIT.run(null, "--rule", rule, "--",
                    "bash", "-c", "cd " + g + " && exec -a chosen-argv0 ./hello-aarch64 x");
            assertEquals(0, r.status(), r.err());
            String expected = rule.endsWith(":P") ? "hello from chosen-argv0 argc=2 [x]\n"
                    : "hello from " + g.resolve("hello-aarch64") + " argc=2 [x]\n";
            assertEquals(expected, r.out(), rule);
        }
    }

    @Test
    void theReadmeDemoRuns() throws Exception {
        Process p = new ProcessBuilder("sh", LauncherIT.REPO.resolve("examples/demo/demo.sh").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("     1\t[wasm] HELLO FROM ./HELLO-AARCH64 ARGC=4 [FROM] [A] [PIPELINE]\n"), out);
        assertTrue(out.contains("spawn: 'echo and a native one' exited 0\n"), out);
        assertTrue(out.contains("exit status 3\n"), out);
    }
}
