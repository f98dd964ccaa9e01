package io.jbinfmt.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --engine kernel} through bin/jbinfmt: a run as root and one as nobody (setpriv) where the rule applies and
 * register is read-only; the one-line refusals (--log and --stats, which this engine cannot serve; a host whose
 * user.max_user_namespaces is 0, played by a user namespace of ours; a host that masks part of /proc, played by a
 * mount namespace of ours); {@code check --engines} on both hosts. Where no cgroup can be had (nobody here, or root
 * with the cgroup tree hidden) the tree lives in a PID namespace of its own: it dies with a killed jbinfmt, is waited
 * for, sees its own /proc, and its status passes through. Names its engine, so it runs once (not again in the
 * $JBINFMT_ENGINE=ptrace or kernel failsafe runs).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KernelEngineIT {
    static final String TRY = "./prog.tst a; echo x > /proc/sys/fs/binfmt_misc/register; echo \"register $?\"; id -u";

    @TempDir
    static Path tmp;

    @BeforeAll
    static void fixtures() throws Exception {
        Assumptions.assumeTrue(EngineUnderTest.name().equals("auto"),
                "KernelEngineIT: names its engine, run once (in the default failsafe run)");
        EngineUnderTest.assumeKernelEngineRuns("KernelEngineIT", List.of());
        EngineUnderTest.assumeKernelEngineRuns("KernelEngineIT", NOBODY);
        writeFixtures(tmp);
    }

    /**
     * In {@code dir}, which nobody may enter: interp.sh (prints its arguments), prog.tst (data the rule "tst" sends
     * to it) and shared/, which anyone may write.
     */
    static void writeFixtures(Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path interp = dir.resolve("interp.sh");
        Files.writeString(interp, "#!/bin/sh\necho \"interp: $*\"\n");
        Files.setPosixFilePermissions(interp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("prog.tst"), "data\n");
        Files.setPosixFilePermissions(dir.resolve("prog.tst"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(dir.resolve("shared"));
        Files.setPosixFilePermissions(dir.resolve("shared"), PosixFilePermissions.fromString("rwxrwxrwx"));
    }

    static Process start(List<String> prefix, String... args) throws Exception {
        return start(tmp, prefix, args);
    }

    /** jbinfmt {@code args} after {@code prefix}, in {@code dir}; its stderr is the test's. */
    static Process start(Path dir, List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(LauncherIT.LAUNCHER.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        p.getOutputStream().close();
        return p;
    }

    /** Our pids for the processes whose command line contains {@code marker}. */
    static List<Long> pidsOf(String marker) throws Exception {
        List<Long> out = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(p.resolve("cmdline"))).contains(marker)
                            && LauncherIT.alive(Long.parseLong(p.getFileName().toString()))) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (java.io.IOException gone) {
                    // ended meanwhile
                }
            }
        }
        return out;
    }

    static LauncherIT.Result run(List<String> prefix, String... args) throws Exception {
        return run(tmp, prefix, args);
    }

    /** jbinfmt {@code args} after {@code prefix}, in {@code dir}, to its end. */
    static LauncherIT.Result run(Path dir, List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(LauncherIT.LAUNCHER.toString());
        cmd.addAll(List.of(args));
        return runIn(dir, cmd);
    }

    /** {@code cmd} in {@code dir}, with no input, to its end. */
    static LauncherIT.Result runIn(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes());
        String out = new String(p.getInputStream().readAllBytes());
        return new LauncherIT.Result(p.waitFor(), out, err);
    }

    static final List<String> NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
    /** A host whose user.max_user_namespaces is 0, as far as jbinfmt can tell: a user namespace of ours. */
    static final List<String> NO_USERNS = List.of("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            "echo 0 > /proc/sys/user/max_user_namespaces && exec \"$@\"", "sh");

    @Test
    void asRootTheRuleAppliesAndRegisterIsReadOnly() throws Exception {
        LauncherIT.Result r = run(List.of(), "-v", "--engine", "kernel", "--rule", ":tst:E::tst::" + tmp
                + "/interp.sh:", "--", "sh", "-c", TRY + "; exit 3");
        assertEquals(3, r.status(), r.err());
        assertEquals("interp: ./prog.tst a\nregister 2\n0\n", r.out());
        assertTrue(r.err().startsWith("jbinfmt: engine kernel: asked for; the rules are in a private binfmt_misc"
                + ", in user and mount namespaces of the command's (as root, mapped to the host's ids)"), r.err());
    }

    @Test
    void asNobodyTheRuleAppliesAndRegisterIsReadOnly() throws Exception {
        LauncherIT.Result r = run(NOBODY, "--engine", "kernel", "--rule", ":tst:E::tst::" + tmp + "/interp.sh:",
                "--", "sh", "-c", TRY + "; grep CapEff /proc/self/status");
        assertEquals(0, r.status(), r.err());
        assertEquals("interp: ./prog.tst a\nregister 2\n65534\nCapEff:\t0000000000000000\n", r.out());
        assertTrue(r.err().contains("Read-only file system"), r.err());
    }

    /** A root without a cgroup of its own: jbinfmt's mount namespace hides the cgroup tree under a tmpfs. */
    static final List<String> NO_CGROUP = List.of("unshare", "--mount", "sh", "-c",
            "mount -t tmpfs none /sys/fs/cgroup && exec \"$@\"", "sh");
    /** A host that masks part of /proc, as containers do: a file mounted over a /proc entry. */
    static final List<String> MASKED_PROC = List.of("unshare", "--mount", "sh", "-c",
            "mount --bind /dev/null /proc/uptime && exec \"$@\"", "sh");
    static final String PID_NAMESPACE = "so the tree lives in a PID namespace of its own (pid 1 is jbinfmt's init, "
            + "the command pid 2, with a fresh /proc), killed with that init if jbinfmt dies";

    @Test
    void asNobodyTheCommandIsPid2InAPidNamespaceWithItsOwnProc() throws Exception {
        LauncherIT.Result r = run(NOBODY, "-v", "--engine", "kernel", "--", "sh", "-c",
                "echo $$; test -d /proc/$$ && echo ok; ls /proc | grep -c '^[0-9]'; cat /proc/1/comm");
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of("2", "ok"), lines.subList(0, 2), r.out());
        int pids = Integer.parseInt(lines.get(2));
        assertTrue(pids >= 3 && pids <= 5, "the command's /proc lists " + pids + " pids: not its namespace's");
        assertEquals("jbinfmt-init", lines.get(3), r.out());
        assertTrue(r.err().contains(PID_NAMESPACE), r.err());
    }

    @Test
    void asNobodyADaemonDiesWithAKilledJbinfmt() throws Exception {
        assertADaemonDiesWithAKilledJbinfmt(tmp, NOBODY);
    }

    /** A daemon the command started under {@code prefix} outlives the command, and dies with jbinfmt's kill -9. */
    static void assertADaemonDiesWithAKilledJbinfmt(Path dir, List<String> prefix) throws Exception {
        long n = System.nanoTime() % 1_000_000_000L;
        String marker = "jbinfmt-daemon-" + (n + 1); // only the daemon's own command line has it, expanded
        Process p = start(dir, prefix, "--engine", "kernel", "--", "sh", "-c",
                "sh -c 'sleep 300; :' jbinfmt-daemon-$((" + n + " + 1)) </dev/null >/dev/null 2>&1 & echo started");
        List<Long> daemon = List.of();
        try {
            assertEquals("started", new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))
                    .readLine());
            // until it is the only one: between its fork and the exec of sleep, its child has its command line too
            for (int i = 0; i < 500 && daemon.size() != 1; i++) {
                Thread.sleep(10);
                daemon = pidsOf(marker);
            }
            assertEquals(1, daemon.size(), "the daemon " + marker + " never showed alone");
            assertTrue(p.isAlive(), "jbinfmt must wait for the daemon");
            new ProcessBuilder("kill", "-KILL", Long.toString(p.pid())).start().waitFor();
            p.waitFor();
            for (int i = 0; i < 500 && LauncherIT.alive(daemon.getFirst()); i++) {
                Thread.sleep(10);
            }
            assertTrue(!LauncherIT.alive(daemon.getFirst()), "the daemon outlived its killed jbinfmt");
        } finally {
            // a failed check must not leave a 300 s sleep holding the test JVM's stderr (the build waits for it)
            p.destroyForcibly();
            for (long pid : pidsOf(marker)) {
                new ProcessBuilder("kill", "-KILL", Long.toString(pid)).start().waitFor();
            }
        }
    }

    @Test
    void asNobodyJbinfmtWaitsForADaemonAndExitsWithTheCommandsStatus() throws Exception {
        Path done = tmp.resolve("shared/daemon-done");
        LauncherIT.Result r = run(NOBODY, "--engine", "kernel", "--", "sh", "-c",
                "sh -c 'sleep 1; echo done > " + done + "' </dev/null >/dev/null 2>&1 & exit 7");
        assertEquals(7, r.status(), r.err());
        assertEquals("done\n", Files.readString(done), "jbinfmt exited before the daemon");
    }

    @Test
    void asNobodyASignalDeathPassesThrough() throws Exception {
        assertEquals(143, run(NOBODY, "--engine", "kernel", "--", "sh", "-c", "kill -TERM $$").status());
        Process p = start(NOBODY, "--engine", "kernel", "--", "sh", "-c", "echo ready; exec sleep 300");
        try {
            assertEquals("ready", new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))
                    .readLine());
            new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "jbinfmt did not pass SIGTERM on");
            assertEquals(143, p.exitValue());
        } finally {
            p.destroyForcibly(); // its PID namespace, sleep included, dies with it
        }
    }

    @Test
    void asRootWithoutACgroupTheRulesApplyInAPidNamespace() throws Exception {
        LauncherIT.Result r = run(NO_CGROUP, "-v", "--engine", "kernel", "--rule", ":tst:E::tst::" + tmp
                + "/interp.sh:", "--", "sh", "-c", TRY + "; echo $$; exit 3");
        assertEquals(3, r.status(), r.err());
        assertEquals("interp: ./prog.tst a\nregister 2\n0\n2\n", r.out());
        assertTrue(r.err().contains(PID_NAMESPACE), r.err());
    }

    @Test
    void aMaskedProcIsRefusedInOneLine() throws Exception {
        List<String> prefix = new ArrayList<>(MASKED_PROC);
        prefix.addAll(NOBODY);
        assertRefusedInOneLine(prefix, "this host refuses the tree a PID namespace of its own, which holds it where no "
                + "cgroup can (mount proc on /proc in the namespace's init: Operation not permitted (EPERM)): this host "
                + "hides parts of /proc (files or directories mounted over /proc entries, as containers mask "
                + "/proc/kcore and the like), and the kernel then lets no user namespace mount a /proc of its own; the "
                + "command would see the host's pids, so it is not run; run jbinfmt where it can have a cgroup of its "
                + "own (as root, or in a delegated cgroup v2 subtree: systemd-run --user --scope -p Delegate=yes), or "
                + "use --engine notify or ptrace");
    }

    /** {@code --engine kernel -- true} run after {@code prefix} exits 125 with "jbinfmt: --engine kernel: WHY". */
    static void assertRefusedInOneLine(List<String> prefix, String why) throws Exception {
        LauncherIT.Result r = run(prefix, "--engine", "kernel", "--", "true");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("jbinfmt: --engine kernel: " + why + "\n", r.err());
    }

    @Test
    void logAndStatsAreRefusedInOneLine() throws Exception {
        for (String option : List.of("--log=" + tmp.resolve("log"), "--stats")) {
            LauncherIT.Result r = run(List.of(), "--engine", "kernel", option, "--", "true");
            assertEquals(ExitCodes.USAGE, r.status(), r.err());
            assertEquals("jbinfmt: --engine kernel: " + (option.equals("--stats") ? "--stats" : "--log")
                    + " needs to see the tree's execs, and under this engine the kernel runs them unseen; use "
                    + "--engine notify or ptrace for them\n", r.err());
        }
        assertTrue(!Files.exists(tmp.resolve("log")), "the log was opened before the refusal");
    }

    @Test
    void noUserNamespacesLeftIsRefusedInOneLine() throws Exception {
        assertRefusedInOneLine(NO_USERNS, "this host refuses a private binfmt_misc (unshare(CLONE_NEWUSER|"
                + "CLONE_NEWNS) in the command's process: No space left on device (ENOSPC)): "
                + "user.max_user_namespaces is reached for this user or an enclosing namespace (it is 0: user "
                + "namespaces are off); raise it with sysctl user.max_user_namespaces=N, or use --engine notify or "
                + "ptrace");
    }

    @Test
    void checkEnginesSaysWhatThisHostOffers() throws Exception {
        LauncherIT.Result root = run(List.of(), "check", "--engines");
        assertEquals(0, root.status(), root.err());
        List<String> lines = root.out().lines().toList();
        assertEquals(4, lines.size(), root.out());
        assertEquals("ptrace: available: works here", lines.get(0));
        assertTrue(lines.get(1).startsWith("notify: "), root.out());
        assertTrue(lines.get(2).startsWith("kernel: available: the rules are in a private binfmt_misc"), root.out());
        assertTrue(lines.get(3).matches("auto: picks (notify|ptrace) \\(never kernel, which must be asked for\\)"),
                root.out());
        LauncherIT.Result none = run(NO_USERNS, "check", "--engines");
        assertEquals(0, none.status(), none.err());
        assertTrue(none.out().contains("\nkernel: not available: --engine kernel: this host refuses a private "
                + "binfmt_misc (unshare(CLONE_NEWUSER|CLONE_NEWNS) in the command's process: No space left on "
                + "device (ENOSPC))"), none.out());
        LauncherIT.Result nobody = run(NOBODY, "check", "--engines");
        assertTrue(nobody.out().contains("\nkernel: available: the rules are in a private binfmt_misc, in user and "
                + "mount namespaces of the command's (as this user, with no capabilities)"), nobody.out());
        assertTrue(nobody.out().contains(PID_NAMESPACE + "\n"), nobody.out());
    }
}
