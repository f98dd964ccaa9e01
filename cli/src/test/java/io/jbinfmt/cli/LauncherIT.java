package io.jbinfmt.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real bin/jbinfmt, run as a user would: exit codes, signals, stdio, its own death. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherIT {
    static final Path REPO = Path.of(System.getProperty("jbinfmt.repo", "..")).toAbsolutePath().normalize();
    static final Path LAUNCHER = REPO.resolve("bin/jbinfmt");

    @TempDir
    Path tmp;

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void launcherExists() {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " missing");
    }

    static ProcessBuilder jbinfmt(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        return runWithEnv(java.util.Map.of(), stdin, args);
    }

    static Result runWithEnv(java.util.Map<String, String> env, String stdin, String... args)
            throws IOException, InterruptedException {
        ProcessBuilder pb = jbinfmt(args);
        pb.environment().putAll(env);
        return start(pb, stdin);
    }

    /** Runs {@code pb} (a {@link #jbinfmt} command) with {@code stdin} as its input, or none when null. */
    static Result start(ProcessBuilder pb, String stdin) throws IOException, InterruptedException {
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes());
        }
        p.getOutputStream().close();
        var err = p.errorReader();
        String out = new String(p.getInputStream().readAllBytes());
        String e = err.lines().reduce("", (a, b) -> a + b + "\n");
        return new Result(p.waitFor(), out, e);
    }

    @Test
    void exitStatusAndSignalDeath() throws Exception {
        assertEquals(7, run(null, "--", "sh", "-c", "exit 7").status());
        assertEquals(143, run(null, "--", "sh", "-c", "kill -TERM $$").status());
    }

    @Test
    void theImageRunsThroughASymlinkElsewhere() throws Exception {
        // as the README installs it: ln -s /opt/jbinfmt/bin/jbinfmt /usr/local/bin/jbinfmt
        Path image = REPO.resolve("cli/target/jbinfmt-image/bin/jbinfmt");
        assertEquals(0, run(null, "--", "true").status()); // bin/jbinfmt builds the image if it is stale
        Path link = Files.createSymbolicLink(tmp.resolve("jbinfmt"), image);
        Result r = start(new ProcessBuilder(link.toString(), "--", "sh", "-c", "echo ok; exit 3"), null);
        assertEquals(3, r.status(), r.err());
        assertEquals("ok\n", r.out());
    }

    @Test
    void execLoopPrintsOk() throws Exception {
        Result r = run(null, "--", "bash", "-c", "for i in $(seq 200); do /bin/true; done; echo ok");
        assertEquals(0, r.status(), r.err());
        assertEquals("ok\n", r.out());
    }

    @Test
    void stdioIsTheCommands() throws Exception {
        Result r = run("hello\nworld\n", "--", "sh", "-c", "tr a-z A-Z; echo oops >&2");
        assertEquals("HELLO\nWORLD\n", r.out());
        assertTrue(r.err().contains("oops"), r.err());
    }

    @Test
    void notFoundAndNotExecutable() throws Exception {
        Result missing = run(null, "--", "no-such-command-jbinfmt");
        assertEquals(ExitCodes.NOT_FOUND, missing.status());
        assertTrue(missing.err().contains("no-such-command-jbinfmt: command not found"), missing.err());
        Result denied = run(null, "--", "/etc/passwd");
        assertEquals(ExitCodes.NOT_EXECUTABLE, denied.status());
        assertTrue(denied.err().contains("/etc/passwd: Permission denied"), denied.err());
    }

    @Test
    void badUsageIsExitCode125() throws Exception {
        Result r = run(null, "--no-such-option", "true");
        assertEquals(ExitCodes.USAGE, r.status());
        assertTrue(r.err().contains("Try 'jbinfmt --help'"), r.err());
    }

    @Test
    void argumentBytesReachTheCommandIntact() throws Exception {
        Path out = tmp.resolve("bytes");
        // bytes that are not UTF-8: the launcher must not decode and re-encode them
        byte[] odd = {'x', (byte) 0xff, (byte) 0xc3, 'y'};
        Path script = tmp.resolve("run.sh");
        Files.write(script, concat(("exec " + LAUNCHER + " -- sh -c 'printf %s \"$1\" > " + out + "' sh ").getBytes(),
                odd, "\n".getBytes()));
        Process p = new ProcessBuilder("sh", script.toString()).inheritIO().start();
        assertEquals(0, p.waitFor());
        assertEquals(new String(odd, StandardCharsets.ISO_8859_1),
                new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1));
    }

    @Test
    void sigtermToJbinfmtReachesTheCommandFirst() throws Exception {
        Path ready = tmp.resolve("ready");
        Process p = jbinfmt("--", "sh", "-c",
                "trap 'exit 9' TERM; touch " + ready + "; while :; do sleep 0.05; done").start();
        awaitFile(ready);
        p.toHandle().pid();
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "jbinfmt did not exit");
        assertEquals(9, p.exitValue(), "the command's TERM trap must decide the status");
    }

    /**
     * Ten times: the guard's sweep once missed a grandchild about one run in five (it reaped the killed shell, then
     * waited on the orphaned sleep it had not killed).
     */
    @Test
    void whenJbinfmtIsKilledItsTreeDiesWithIt() throws Exception {
        for (int run = 0; run < 10; run++) {
            Path pidFile = tmp.resolve("pid" + run);
            Process p = jbinfmt("--", "sh", "-c", "sleep 60 & echo $! > " + pidFile + "; wait").start();
            long child = awaitPid(pidFile);
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
            p.waitFor();
            for (int i = 0; i < 500 && alive(child); i++) {
                Thread.sleep(10);
            }
            assertTrue(!alive(child), "run " + run + ": process " + child + " outlived its killed tracer");
        }
    }

    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    static void awaitFile(Path f) throws InterruptedException {
        for (int i = 0; i < 1000 && !Files.exists(f); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(f), f + " never appeared");
    }

    @Test
    void theLaunchersBuildStepPrintsNoColourCodes() throws Exception {
        // A copy of bin/jbinfmt in an empty tree has no image, so it builds; a stand-in mvn prints Maven 3.8's
        // stray colour resets, then fails (the launcher shows its output, cleaned) or makes an image (silence).
        Path bin = Files.createDirectories(tmp.resolve("tree/bin"));
        Files.copy(LAUNCHER, bin.resolve("jbinfmt"));
        Path tools = Files.createDirectories(tmp.resolve("tools"));
        Path mvn = Files.writeString(tools.resolve("mvn"), """
                #!/bin/sh
                printf '\033[0m\033[0m[ERROR] \033[1mno luck\033[m\n'
                [ -e "$(dirname "$0")/ok" ] || exit 1
                image=cli/target/jbinfmt-image
                mkdir -p $image/bin $image/share
                printf '#!/bin/sh\necho "image ran: $*"\n' > $image/bin/jbinfmt
                chmod +x $image/bin/jbinfmt
                touch $image/share/aot-home
                """);
        mvn.toFile().setExecutable(true);
        ProcessBuilder failing = new ProcessBuilder(bin.resolve("jbinfmt").toString(), "x");
        failing.environment().put("PATH", tools + ":/usr/bin:/bin");
        Process p = failing.start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(125, p.waitFor(), err);
        assertEquals("jbinfmt: building (mvn package)...\n[ERROR] no luck\njbinfmt: build failed\n", err);
        Files.writeString(tools.resolve("ok"), "");
        Process q = failing.start();
        String out = new String(q.getInputStream().readAllBytes());
        String err2 = new String(q.getErrorStream().readAllBytes());
        assertEquals(0, q.waitFor(), err2);
        assertEquals("jbinfmt: building (mvn package)...\n", err2);
        assertEquals("image ran: x\n", out);
    }

    static long awaitPid(Path f) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (Files.exists(f)) {
                String s = Files.readString(f).trim();
                if (!s.isEmpty()) {
                    return Long.parseLong(s);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no pid in " + f);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
