package io.jbinfmt.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A 64-bit Windows console program (examples/demo/src/hello.c, built with mingw-w64) under the default rules, with
 * no rule option: run through wine as the command and from a shell script, as a test driver would run it. Under
 * each engine: failsafe runs this class three times, with JBINFMT_ENGINE unset (auto), ptrace and kernel.
 *
 * <p>wine gets what a test driver should give it: a private WINEPREFIX, made once for the class (its first use
 * takes seconds and prints to stderr), WINEDEBUG=-all, no display, and a persistent wineserver with wine's own
 * services (services.exe, winedevice.exe, ...) started outside the tree. Without a server, each run starts one,
 * which lingers ~3 s after its last program, and jbinfmt waits for it as for any daemon of the tree (one test shows
 * that case); with a persistent server whose services were not started yet, the first program starts them inside
 * the tree and they live as long as the server: jbinfmt would never end. 32-bit Windows programs are not tested:
 * they need wine32 (the i386 dpkg architecture), which .ci/packages does not install.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WindowsProgramsIT implements EndToEndDriver {
    @TempDir
    static Path prefix;

    @TempDir
    Path tmp;

    @BeforeAll
    static void toolsAndAPrefix() throws Exception {
        // missing tools fail the test (never skip it): .ci/packages installs them
        assertNotNull(DefaultRules.onPath("wine"), "wine is not on PATH (apt-get install wine wine64)");
        assertNotNull(DefaultRules.onPath("x86_64-w64-mingw32-gcc"),
                "x86_64-w64-mingw32-gcc is not on PATH (apt-get install gcc-mingw-w64-x86-64-win32)");
        long start = System.nanoTime();
        assertEquals(0, wine("wineserver", "-p")); // persistent until -k (afterAll): no run waits for its linger
        assertEquals(0, wine("wineboot", "--init")); // makes the prefix, and starts wine's services out of the tree
        System.out.printf("WindowsProgramsIT: wine made its prefix in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopTheWineserver() throws Exception {
        wine("wineserver", "-k"); // 1 if none runs (a failed start): nothing to stop then
    }

    @Test
    void aWindowsProgramRunsAsTheCommandThroughTheWineRule() throws Exception {
        Path hello = ForeignFixtures.windows("hello");
        Path log = tmp.resolve("execs.jsonl");
        // the kernel engine sees no exec, so it refuses --log: there, the run alone is checked
        List<String> logging = EngineUnderTest.seesNoExecs() ? List.of()
                : List.of("--log-format", "json", "--log", log.toString());
        List<String> args = new java.util.ArrayList<>(logging);
        args.addAll(List.of("--", "./hello.exe", "a", "two words", "exit=7"));
        LauncherIT.Result r = run(hello.getParent(), args.toArray(String[]::new));
        assertEquals(7, r.status(), r.err());
        // wine hands the program its own path as a Windows one, and msvcrt writes text with CRLF
        assertEquals("hello from " + windowsPath(hello) + " argc=4 [a] [two words] [exit=7]\r\n", r.out());
        assertEquals("", r.err(), "WINEDEBUG=-all and a made prefix: nothing on stderr");
        if (EngineUnderTest.seesNoExecs()) {
            return;
        }
        String first = Files.readAllLines(log).getFirst();
        assertTrue(first.contains("\"path\":\"./hello.exe\",\"args\":[\"./hello.exe\",\"a\",\"two words\",\"exit=7\"],"
                + "\"decision\":\"rewrite\",\"rules\":[\"wine\"],\"interpreter\":\"/usr/bin/wine\","
                + "\"argv\":[\"/usr/bin/wine\",\"./hello.exe\",\"a\",\"two words\",\"exit=7\"]"), first);
        // and how it ended: wine's exit status is the program's
        assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.startsWith("{\"event\":\"exit\"")
                && l.contains("\"path\":\"./hello.exe\",\"rules\":[\"wine\"],\"status\":\"exited\",\"exit_code\":7,")),
                Files.readString(log));
    }

    @Test
    void aTestDriversShellScriptExecsTheProgram() throws Exception {
        Path hello = ForeignFixtures.windows("hello");
        Path script = Files.writeString(tmp.resolve("run-tests.sh"), """
                cd "$1"
                ./hello.exe first; echo "status $?"
                ./hello.exe exit=3; echo "status $?"
                exec ./hello.exe last exit=5
                """);
        LauncherIT.Result r = run(tmp, "-v", "--", "sh", script.toString(), hello.getParent().toString());
        assertEquals(5, r.status(), r.err());
        String self = windowsPath(hello);
        assertEquals("hello from " + self + " argc=2 [first]\r\nstatus 0\n"
                + "hello from " + self + " argc=2 [exit=3]\r\nstatus 3\n"
                + "hello from " + self + " argc=3 [last] [exit=5]\r\n", r.out());
        if (EngineUnderTest.seesNoExecs()) {
            EngineUnderTest.assertKernelEngineRan(r.err());
        } else {
            assertEquals(3, count(r.err(), ": rewrite by wine -> /usr/bin/wine ./hello.exe "), r.err());
            assertTrue(r.err().contains(": rewrite by wine -> /usr/bin/wine ./hello.exe last exit=5\n"), r.err());
        }
        String engine = r.err().lines().filter(l -> l.startsWith("jbinfmt: engine ")).findFirst().orElse("");
        System.out.println("WindowsProgramsIT: " + engine);
        if ("ptrace".equals(System.getenv("JBINFMT_ENGINE"))) {
            assertTrue(engine.startsWith("jbinfmt: engine ptrace"), engine);
        }
    }

    @Test
    void withNoWineserverRunningJbinfmtWaitsForTheOneWineStarts() throws Exception {
        Path hello = ForeignFixtures.windows("hello");
        assertEquals(0, wine("wineserver", "-k"));
        assertEquals(0, wine("wineserver", "-w")); // gone
        try {
            long start = System.nanoTime();
            LauncherIT.Result r = run(hello.getParent(), "--", "./hello.exe", "exit=4");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertEquals(4, r.status(), r.err());
            assertEquals("hello from " + windowsPath(hello) + " argc=2 [exit=4]\r\n", r.out());
            // the wineserver (and wine's services) the program started are the tree's: jbinfmt ends after them
            System.out.printf("WindowsProgramsIT: with no wineserver running, one run took %.1f s%n", seconds);
        } finally {
            assertEquals(0, wine("wineserver", "-p"));
            assertEquals(0, wine("wineboot")); // wine's services, out of the tree, as beforeAll left them
        }
    }

    /**
     * bin/jbinfmt {@code args} in {@code dir}, with the private prefix, quiet wine and no display; killed (and its
     * tree with it) if it has not ended within a minute, as it would not if a wine daemon were left in the tree.
     */
    private static LauncherIT.Result run(Path dir, String... args) throws Exception {
        ProcessBuilder pb = LauncherIT.jbinfmt(args).directory(dir.toFile());
        wineEnvironment(pb.environment());
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("jbinfmt " + String.join(" ", args) + " had not ended after 60 s (a wine daemon in the tree?)\n"
                    + err.get());
        }
        return new LauncherIT.Result(p.exitValue(), out.get(), err.get());
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a wine tool for the private prefix, giving its status; no output is read (its daemons keep no pipe). */
    private static int wine(String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        wineEnvironment(pb.environment());
        Process p = pb.start();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " did not finish");
        return p.exitValue();
    }

    private static void wineEnvironment(Map<String, String> env) {
        env.put("WINEPREFIX", prefix.toString());
        env.put("WINEDEBUG", "-all");
        for (String display : List.of("DISPLAY", "WAYLAND_DISPLAY")) {
            env.remove(display);
        }
    }

    /** How wine names {@code file} to the program: drive Z: is the root. */
    private static String windowsPath(Path file) {
        return "Z:" + file.toString().replace('/', '\\');
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }
}
