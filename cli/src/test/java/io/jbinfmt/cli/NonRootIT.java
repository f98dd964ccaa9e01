package io.jbinfmt.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jbinfmt run by an unprivileged user (nobody, through setpriv): seccomp needs no_new_privs then, so a setuid
 * program in the tree runs without its privileges, and nothing jbinfmt does gives a tracee rights it lacked.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NonRootIT {
    Path dir;

    @BeforeEach
    void dir() throws Exception {
        dir = Files.createTempDirectory("jbinfmt-nonroot", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
    }

    @AfterEach
    void clean() throws Exception {
        new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }

    /**
     * Yama's ptrace_scope 2 lets only CAP_SYS_PTRACE trace (3: nobody): an unprivileged jbinfmt is then refused,
     * which this class checks once (status 125, the one line naming Yama), says, and runs nothing else.
     */
    @BeforeAll
    static void yamaAllowsUnprivilegedPtrace() throws Exception {
        int scope = io.jbinfmt.tracer.spawn.HostRefusal.Facts.read(false).yamaScope(); // -1: no Yama
        if (scope < 2) {
            return;
        }
        LauncherIT.Result r = asNobody("--no-defaults", "--", "true");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertTrue(r.err().contains("kernel.yama.ptrace_scope is " + scope), r.err());
        Assumptions.abort("NonRootIT: Yama's kernel.yama.ptrace_scope is " + scope + ", so unprivileged jbinfmt "
                + "can only say why it cannot run (checked); the unprivileged runs are not applicable here");
    }

    static LauncherIT.Result asNobody(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                LauncherIT.LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes());
        String out = new String(p.getInputStream().readAllBytes());
        return new LauncherIT.Result(p.waitFor(), out, err);
    }

    static LauncherIT.Result asNobodyWithCgroupTree(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                LauncherIT.LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JBINFMT_JAVA_OPTS", "-Djbinfmt.notify.tree=cgroup");
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes());
        String out = new String(p.getInputStream().readAllBytes());
        return new LauncherIT.Result(p.waitFor(), out, err);
    }

    /**
     * The notify engine's other way to hold its tree, a cgroup (-Djbinfmt.notify.tree=cgroup: what it falls back to
     * where its guard cannot be made), is root's: an unprivileged user cannot make a cgroup (outside a delegated
     * subtree), so auto then runs the ptrace engine and says why; notify by name refuses in one line. Without the
     * property, the guard holds the tree for nobody too (GuardedTreeIT).
     */
    @Test
    void withoutItsGuardAnUnprivilegedNotifyEngineNeedsACgroup() throws Exception {
        LauncherIT.Result r = asNobodyWithCgroupTree("-v", "--engine", "auto", "--no-defaults", "--", "true");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().startsWith("jbinfmt: engine ptrace: the notify engine needs its guard or a cgroup of its "
                + "own to take the tree down with jbinfmt: cannot create a cgroup in "), r.err());
        LauncherIT.Result n = asNobodyWithCgroupTree("--engine", "notify", "--no-defaults", "--", "true");
        assertEquals(ExitCodes.USAGE, n.status(), n.err());
        assertTrue(n.err().matches("jbinfmt: --engine notify: [^\\n]*permission denied\\)\\n"), n.err());
    }

    @Test
    void worksUnprivilegedWithNoNewPrivs() throws Exception {
        LauncherIT.Result r = asNobody("--", "sh", "-c", "id -u; grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status");
        assertEquals(0, r.status(), r.err());
        assertEquals("65534\nNoNewPrivs:\t1\nSeccomp:\t2\n", r.out());
    }

    @Test
    void rewritesForeignProgramsUnprivileged() throws Exception {
        Path hello = dir.resolve("hello-aarch64");
        Files.copy(ForeignFixtures.aarch64("hello"), hello);
        Files.setPosixFilePermissions(hello, PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherIT.Result r = asNobody("--rules", ForeignFixtures.rules().toString(), "--", hello.toString(), "exit=6");
        assertEquals(6, r.status(), r.err());
        assertEquals("hello from " + hello + " argc=2 [exit=6]\n", r.out());
    }

    @Test
    void aSetuidProgramGainsNothing() throws Exception {
        Path id = dir.resolve("suid-id");
        Files.copy(Path.of("/usr/bin/id"), id, StandardCopyOption.REPLACE_EXISTING);
        assertEquals(0, new ProcessBuilder("chmod", "4755", id.toString()).start().waitFor()); // setuid root
        Process direct = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                id.toString(), "-u").start();
        String without = new String(direct.getInputStream().readAllBytes()).trim();
        direct.waitFor();
        assertEquals("0", without, "the setuid copy should work without jbinfmt (is /tmp nosuid?)");
        LauncherIT.Result r = asNobody("--", id.toString(), "-u");
        assertEquals(0, r.status(), r.err());
        assertEquals("65534\n", r.out(), "under no_new_privs the setuid bit is ignored");
        assertTrue(r.err().isEmpty(), r.err());
    }
}
