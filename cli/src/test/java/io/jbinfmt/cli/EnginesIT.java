package io.jbinfmt.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engines through bin/jbinfmt: which one runs and why (-v), that a killed jbinfmt takes its whole tree
 * down under each (the notify engine through its guard, or its cgroup where asked to use one, the ptrace engine
 * through PTRACE_O_EXITKILL), where the notify engine is available (root in a user namespace here; unprivileged and
 * rootless-container cases in GuardedTreeIT), jbinfmt under jbinfmt, and programs that use ptrace themselves:
 * strace, gdb and LeakSanitizer, which behave under the notify engine as without jbinfmt.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EnginesIT {
    /** The tree's cgroup (the kernel engine's, the notify engine's without its guard), or the one for CPU times. */
    static final Pattern CGROUP = Pattern.compile("(?:the tree lives in|CPU time from cgroups in) (/[^\\s,;]+)");
    /** The notify engine's tree held by a cgroup and its watchdog rather than by its guard. */
    static final Map<String, String> CGROUP_TREE = Map.of("JBINFMT_JAVA_OPTS", "-Djbinfmt.notify.tree=cgroup");

    @TempDir
    Path tmp;

    private static String notifyRefusal;

    /**
     * The notify engine needs Linux 6.0+ (and its guard, or a writable cgroup v2), facts of the host: where it cannot
     * run, its tests check that `--engine notify` says why in one line (125), say so, and are not applicable.
     */
    static void requireNotify() throws Exception {
        if (notifyRefusal == null) {
            LauncherIT.Result r = LauncherIT.run(null, "--engine", "notify", "--no-defaults", "--", "true");
            if (r.status() == 0) {
                notifyRefusal = "";
            } else {
                assertEquals(ExitCodes.USAGE, r.status(), r.err());
                assertEquals(1, r.err().lines().count(), r.err());
                notifyRefusal = r.err().strip();
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(notifyRefusal.isEmpty(),
                () -> "EnginesIT: the notify engine cannot run on this host, not applicable: " + notifyRefusal);
    }

    static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Test
    void verboseSaysWhichEngineRunsAndWhy() throws Exception {
        requireNotify();
        LauncherIT.Result notify = LauncherIT.run(null, "-v", "--engine", "notify", "--no-defaults", "--", "true");
        assertEquals(0, notify.status(), notify.err());
        assertTrue(firstLine(notify.err()).matches("jbinfmt: engine notify: asked for; the tree is held by "
                + "jbinfmt-guard, the command's parent and a child subreaper, which kills it if jbinfmt dies; "
                + "rewritten processes' CPU time from cgroups in /\\S+/jbinfmt-\\d+-\\d+"), notify.err());
        LauncherIT.Result cgroup = LauncherIT.runWithEnv(CGROUP_TREE, null, "-v", "--engine", "notify",
                "--no-defaults", "--", "true");
        assertTrue(firstLine(cgroup.err()).matches("jbinfmt: engine notify: asked for; the tree lives in "
                + "/\\S+/jbinfmt-\\d+-\\d+, killed through cgroup.kill if jbinfmt dies"), cgroup.err());
        LauncherIT.Result ptrace = LauncherIT.run(null, "-v", "--engine=ptrace", "--no-defaults", "--", "true");
        assertEquals("jbinfmt: engine ptrace: asked for", firstLine(ptrace.err()));
        LauncherIT.Result fromEnv = LauncherIT.runWithEnv(Map.of("JBINFMT_ENGINE", "ptrace"), null, "-v",
                "--no-defaults", "--", "true");
        assertEquals("jbinfmt: engine ptrace: asked for", firstLine(fromEnv.err()));
        LauncherIT.Result bad = LauncherIT.run(null, "--engine", "kvm", "--no-defaults", "--", "true");
        assertEquals(ExitCodes.USAGE, bad.status());
        assertEquals("jbinfmt: --engine: unknown engine 'kvm' (auto, ptrace, notify or kernel)\n", bad.err());
    }

    /**
     * -v's engine line comes before anything the command writes: the command is held until it is printed (a race
     * before: the command's first write could land first, seen under load).
     */
    @ParameterizedTest
    @ValueSource(strings = {"notify", "ptrace", "kernel"})
    void theEngineLineComesBeforeTheCommandsFirstWrite(String engine) throws Exception {
        if (!engine.equals("ptrace")) {
            requireNotify();
        }
        for (int i = 0; i < 10; i++) {
            LauncherIT.Result r = LauncherIT.run(null, "-v", "--engine", engine, "--no-defaults", "--", "sh", "-c",
                    "echo first >&2");
            assertEquals(0, r.status(), r.err());
            assertTrue(r.err().startsWith("jbinfmt: engine " + engine + ": "), "run " + i + ": " + r.err());
            assertTrue(r.err().contains("\nfirst\n"), r.err());
        }
    }

    /**
     * A daemon (setsid, its parent gone) outlives nothing: SIGKILL to jbinfmt ends it under either engine, and so
     * does SIGKILL to jbinfmt's whole process group (as {@code timeout -s KILL} sends), which must not take the
     * notify engine's watchdog with it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"notify", "ptrace", "notify, whole group", "kernel", "notify-cgroup",
        "notify-cgroup, whole group"})
    void aKilledJbinfmtTakesEvenADaemonDown(String how) throws Exception {
        if (!how.startsWith("ptrace")) { // kernel: as root here, where the notify engine's cgroup can be had
            requireNotify();
        }
        String engine = how.split(",")[0].replace("-cgroup", "");
        boolean wholeGroup = how.endsWith("group");
        Path pidFile = tmp.resolve("pid");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(LauncherIT.LAUNCHER.toString(),
                "-v", "--engine", engine, "--no-defaults", "--", "sh", "-c",
                "(setsid sh -c 'echo $$ > " + pidFile + "; exec sleep 300' </dev/null >/dev/null 2>&1 &); sleep 300"));
        if (wholeGroup) {
            cmd.addFirst("setsid"); // a group of its own, to kill whole (setsid execs, so its pid is the group's)
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(tmp.resolve("err").toFile());
        if (how.startsWith("notify-cgroup")) {
            pb.environment().putAll(CGROUP_TREE);
        }
        Process p = pb.start();
        long daemon = LauncherIT.awaitPid(pidFile);
        Thread.sleep(100); // it has exec'd sleep (or is about to)
        new ProcessBuilder("kill", "-KILL", "--", (wholeGroup ? "-" : "") + p.pid()).start().waitFor();
        p.waitFor();
        for (int i = 0; i < 500 && LauncherIT.alive(daemon); i++) {
            Thread.sleep(10);
        }
        assertFalse(LauncherIT.alive(daemon), "daemon " + daemon + " outlived its killed jbinfmt (" + how + ")");
        if (!engine.equals("ptrace")) {
            Matcher m = CGROUP.matcher(Files.readString(tmp.resolve("err")));
            assertTrue(m.find(), Files.readString(tmp.resolve("err")));
            Path group = Path.of(m.group(1));
            for (int i = 0; i < 500 && Files.exists(group); i++) {
                Thread.sleep(10);
            }
            assertFalse(Files.exists(group), "the watchdog removes the cgroup " + group);
        }
    }

    /**
     * Root in a user namespace of its own (a container run by root, without a cgroup namespace) still owns the
     * cgroup tree: the notify engine runs there, and its tree dies with it. The rootless case is in NonRootIT.
     */
    @Test
    void rootInAUserNamespaceRunsTheNotifyEngine() throws Exception {
        requireNotify();
        Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", LauncherIT.LAUNCHER.toString(), "-v",
                "--engine", "auto", "--no-defaults", "--", "sh", "-c", "echo in").start();
        String err = new String(p.getErrorStream().readAllBytes());
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), err);
        assertEquals("in\n", out);
        assertTrue(firstLine(err).startsWith("jbinfmt: engine notify: this host allows it; the tree is held by "
                + "jbinfmt-guard"), err);
    }

    /** Under either outer engine the inner jbinfmt cannot see its tree's execs, and says so in one line. */
    @ParameterizedTest
    @ValueSource(strings = {"notify", "ptrace"})
    void jbinfmtUnderJbinfmtSaysWhyNot(String outer) throws Exception {
        if (outer.equals("notify")) {
            requireNotify();
        }
        LauncherIT.Result r = LauncherIT.run(null, "--engine", outer, "--no-defaults", "--",
                LauncherIT.LAUNCHER.toString(), "--no-defaults", "--", "echo", "inner ran");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("", r.out(), "the inner command must not run unseen");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(outer.equals("notify") ? "a seccomp listener up the process tree"
                : "jbinfmt itself is traced"), r.err());
    }

    @Test
    void straceAndGdbWorkUnderTheNotifyEngine() throws Exception {
        requireNotify();
        Path log = tmp.resolve("strace.log");
        LauncherIT.Result strace = LauncherIT.run(null, "--engine", "notify", "--no-defaults", "--", "strace", "-f",
                "-e", "trace=execve", "-o", log.toString(), "sh", "-c", "/bin/true; exit 4");
        assertEquals(4, strace.status(), strace.err());
        assertTrue(Files.readString(log).contains("execve(\"/bin/true\", [\"/bin/true\"]"), Files.readString(log));
        LauncherIT.Result gdb = LauncherIT.run(null, "--engine", "notify", "--no-defaults", "--", "gdb", "-nx",
                "-batch", "-ex", "run", "--args", "/bin/sh", "-c", "exit 0");
        assertEquals(0, gdb.status(), gdb.err());
        assertTrue(gdb.out().contains("exited normally"), gdb.out() + gdb.err());
    }

    @Test
    void leakSanitizerReportsALeakAsItDoesNatively() throws Exception {
        requireNotify();
        Path src = Files.writeString(tmp.resolve("leak.c"),
                "#include <stdlib.h>\nvoid *keep;\nint main(void) { keep = malloc(77); keep = 0; return 0; }\n");
        Path bin = tmp.resolve("leak");
        Process cc = new ProcessBuilder("gcc", "-g", "-fsanitize=address", "-o", bin.toString(), src.toString())
                .inheritIO().start();
        assertEquals(0, cc.waitFor(), "gcc -fsanitize=address");
        Process nat = new ProcessBuilder(bin.toString()).start();
        String natErr = new String(nat.getErrorStream().readAllBytes());
        int nativeStatus = nat.waitFor();
        assertTrue(natErr.contains("LeakSanitizer: detected memory leaks"), natErr);
        LauncherIT.Result r = LauncherIT.run(null, "--engine", "notify", "--no-defaults", "--", bin.toString());
        assertEquals(nativeStatus, r.status(), r.err());
        assertTrue(r.err().contains("LeakSanitizer: detected memory leaks")
                && r.err().contains("77 byte(s) leaked"), r.err());
    }

    /** A foreign exec by a process strace holds cannot be rewritten: the kernel's answer, and -v says why. */
    @Test
    void aForeignExecUnderAnotherTracerFailsAsAnUnknownFormat() throws Exception {
        requireNotify();
        Path foreign = Files.write(tmp.resolve("prog.fx"), new byte[]{0x7f, 'F', 'X', 0});
        foreign.toFile().setExecutable(true);
        LauncherIT.Result r = LauncherIT.run(null, "-v", "--engine", "notify", "--no-defaults",
                "--rule", ":fx:E::fx::/bin/echo:", "--", "strace", "-f", "-o", "/dev/null", foreign.toString());
        assertTrue(r.err().matches("(?s).*jbinfmt: pid \\d+ exec " + Pattern.quote(foreign.toString())
                + ": fail ENOEXEC \\(cannot rewrite by fx: thread \\d+ is traced by another tracer\\)\n.*"), r.err());
        assertTrue(r.err().contains("Exec format error"), r.err());
        assertTrue(r.status() != 0, r.err());
    }
}
