package io.jbinfmt.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notify engine for whoever runs jbinfmt, with no cgroup: as root, as nobody (setpriv) and as root of a user
 * namespace nobody made (a rootless container). Its tree is held by jbinfmt-guard, the command's parent and a child
 * subreaper: a SIGKILL of jbinfmt, or of jbinfmt's whole process group, kills the whole tree, double-forked daemons
 * included; a daemon stays in the tree (its parent is the guard), its foreign exec is rewritten, and jbinfmt waits for
 * it and exits with the command's status; strace, gdb and LeakSanitizer work in the tree. What the command sees is
 * what it sees without jbinfmt: its ids and groups, jbinfmt's process group. Runs under the engine each test names,
 * whatever JBINFMT_ENGINE says: these are the notify engine's promises.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GuardedTreeIT {
    /** Who runs jbinfmt. */
    enum Who {
        ROOT(List.of()),
        NOBODY(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")),
        NOBODY_AS_ROOT_OF_A_USER_NAMESPACE(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "unshare", "--user", "--map-root-user"));

        final List<String> prefix;

        Who(List<String> prefix) {
            this.prefix = prefix;
        }

        /** The command that runs {@code args} as this user (jbinfmt's launcher if {@code jbinfmt}). */
        List<String> command(boolean jbinfmt, String... args) {
            List<String> cmd = new ArrayList<>(prefix);
            if (jbinfmt) {
                cmd.add(LauncherIT.LAUNCHER.toString());
            }
            cmd.addAll(List.of(args));
            return cmd;
        }
    }

    Path dir;

    @BeforeEach
    void dir() throws Exception {
        dir = Files.createTempDirectory("jbinfmt-guarded", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx")); // past the umask
    }

    @AfterEach
    void clean() throws Exception {
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }

    private static LauncherIT.Result run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String[] err = new String[1];
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                err[0] = new String(p.getErrorStream().readAllBytes());
            } catch (java.io.IOException e) {
                err[0] = e.toString();
            }
        });
        String out = new String(p.getInputStream().readAllBytes());
        int status = p.waitFor();
        t.join();
        return new LauncherIT.Result(status, out, err[0]);
    }

    /**
     * auto picks notify, -v says the guard holds the tree; the command has the ids and groups it has without
     * jbinfmt, and jbinfmt's process group; its parent is the guard.
     */
    @ParameterizedTest
    @EnumSource(Who.class)
    void autoRunsNotifyAndTheCommandSeesWhatItSeesWithout(Who who) throws Exception {
        String probe = "id; cut -d' ' -f5 /proc/$$/stat; cat /proc/$PPID/comm";
        LauncherIT.Result without = run(who.command(false, "sh", "-c", probe));
        LauncherIT.Result with = run(who.command(true, "-v", "--engine", "auto", "--no-defaults", "--", "sh", "-c",
                probe));
        assertEquals(0, with.status(), with.err());
        assertTrue(EnginesIT.firstLine(with.err()).startsWith("jbinfmt: engine notify: this host allows it; the tree"
                + " is held by jbinfmt-guard, the command's parent and a child subreaper, which kills it if jbinfmt "
                + "dies"), with.err());
        List<String> w = with.out().lines().toList();
        List<String> n = without.out().lines().toList();
        assertEquals(n.get(0), w.get(0), "id");
        assertEquals(n.get(1), w.get(1), "the process group: jbinfmt's, as the shell's without it");
        assertEquals("jbinfmt-guard", w.get(2), "the parent");
    }

    /**
     * A double-forked daemon (setsid) dies with a SIGKILLed jbinfmt, and so does every process when `timeout -s KILL`
     * kills jbinfmt's whole process group (its own: timeout makes one), which must not reach the guard before it has
     * done its work; the guard is gone too.
     */
    @ParameterizedTest
    @EnumSource(Who.class)
    void aKilledJbinfmtTakesTheWholeTreeDown(Who who) throws Exception {
        for (boolean wholeGroup : new boolean[]{false, true}) {
            Path daemonPid = dir.resolve("daemon-" + wholeGroup);
            Path childPid = dir.resolve("child-" + wholeGroup);
            List<String> cmd = new ArrayList<>(wholeGroup ? List.of("timeout", "-s", "KILL", "4") : List.of());
            cmd.addAll(who.command(true, "--engine", "notify", "--no-defaults", "--", "sh", "-c",
                    "(setsid sh -c 'echo $$ > " + daemonPid + "; exec sleep 300' </dev/null >/dev/null 2>&1 &); "
                            + "sh -c 'echo $$ > " + childPid + "; exec sleep 301' & "
                            + "echo $PPID > " + dir.resolve("guard-" + wholeGroup) + "; sleep 302"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile())
                    .start();
            long daemon = LauncherIT.awaitPid(daemonPid);
            long child = LauncherIT.awaitPid(childPid);
            long guard = LauncherIT.awaitPid(dir.resolve("guard-" + wholeGroup));
            assertTrue(LauncherIT.alive(daemon) && LauncherIT.alive(child) && LauncherIT.alive(guard));
            assertEquals("jbinfmt-guard\n", Files.readString(Path.of("/proc/" + guard + "/comm")));
            if (!wholeGroup) {
                new ProcessBuilder("kill", "-KILL", "--", Long.toString(p.pid())).start().waitFor();
            }
            assertEquals(128 + 9, p.waitFor(), "killed by SIGKILL");
            for (long pid : new long[]{daemon, child, guard}) {
                for (int i = 0; i < 500 && LauncherIT.alive(pid); i++) {
                    Thread.sleep(10);
                }
                assertFalse(LauncherIT.alive(pid), pid + " outlived its killed jbinfmt (" + who + (wholeGroup
                        ? ", whole group)" : ")") + "; daemon " + daemon + ", child " + child + ", guard " + guard);
            }
        }
    }

    /**
     * The command leaves a double-forked daemon and exits 4: the daemon's parent is the guard (the tree holds it),
     * its foreign exec is rewritten a second later, and jbinfmt waits for it, then exits 4.
     */
    @ParameterizedTest
    @EnumSource(Who.class)
    void aDaemonStaysInTheTreeIsRewrittenAndWaitedFor(Who who) throws Exception {
        Path prog = Files.writeString(dir.resolve("prog.fx"), "not run\n");
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = dir.resolve("daemon.log");
        long start = System.nanoTime();
        LauncherIT.Result r = run(who.command(true, "--engine", "notify", "--no-defaults",
                "--rule", ":fx:E::fx::/bin/echo:", "--", "sh", "-c",
                "(setsid sh -c 'sleep 1; cat /proc/$(cut -d\" \" -f4 /proc/$$/stat)/comm; " + prog + " rewritten' "
                        + "</dev/null >" + log + " 2>&1 &); exit 4"));
        assertEquals(4, r.status(), r.err());
        assertTrue(System.nanoTime() - start > 900_000_000L, "jbinfmt waited for the daemon");
        assertEquals("jbinfmt-guard\n" + prog + " rewritten\n", Files.readString(log));
    }

    /** strace -f, gdb -batch -ex run and an AddressSanitizer build's leak report, as without jbinfmt. */
    @ParameterizedTest
    @EnumSource(Who.class)
    void straceGdbAndLeakSanitizerWork(Who who) throws Exception {
        Path log = dir.resolve("strace.log");
        LauncherIT.Result strace = run(who.command(true, "--engine", "notify", "--no-defaults", "--", "strace",
                "-f", "-qq", "-e", "trace=execve", "-o", log.toString(), "sh", "-c", "/bin/true; exit 4"));
        assertEquals(4, strace.status(), strace.err());
        assertTrue(Files.readString(log).contains("execve(\"/bin/true\", [\"/bin/true\"]"), Files.readString(log));
        LauncherIT.Result gdb = run(who.command(true, "--engine", "notify", "--no-defaults", "--", "gdb", "-nx",
                "-batch", "-ex", "run", "--args", "/bin/sh", "-c", "exit 3"));
        assertEquals(0, gdb.status(), gdb.err());
        assertTrue(gdb.out().contains("exited with code 03"), gdb.out() + gdb.err());
        Path src = Files.writeString(dir.resolve("leak.c"),
                "#include <stdlib.h>\nvoid *keep;\nint main(void) { keep = malloc(77); keep = 0; return 0; }\n");
        Path bin = dir.resolve("leak");
        assertEquals(0, new ProcessBuilder("gcc", "-g", "-fsanitize=address", "-o", bin.toString(), src.toString())
                .inheritIO().start().waitFor(), "gcc -fsanitize=address");
        LauncherIT.Result nat = run(who.command(false, bin.toString()));
        assertTrue(nat.err().contains("LeakSanitizer: detected memory leaks"), nat.err());
        LauncherIT.Result r = run(who.command(true, "--engine", "notify", "--no-defaults", "--", bin.toString()));
        assertEquals(nat.status(), r.status(), r.err());
        assertTrue(r.err().contains("LeakSanitizer: detected memory leaks")
                && r.err().contains("77 byte(s) leaked"), r.err());
    }
}
