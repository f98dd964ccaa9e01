package io.jbinfmt.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jbinfmt on a host that refuses what it is built on, as a container's seccomp profile would: run under a seccomp
 * filter that fails ptrace, or seccomp, with EPERM, it exits 125 with one line that names the refused call and
 * what to change; no stack trace, no hang (the class timeout).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RefusingHostIT {
    static final int SYS_PTRACE = 101;
    static final int SYS_SECCOMP = 317;
    static final int EPERM = 1;
    /** x86_64 syscall numbers: the kernel engine's namespace and mount calls. */
    static final int SYS_UNSHARE = 272;
    static final int SYS_MOUNT = 165;
    static Path deny;

    @BeforeAll
    static void build() throws Exception {
        Path out = Files.createDirectories(Path.of("target/test-programs")).resolve("deny_syscall").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-o", out.toString(), "src/test/c/deny_syscall.c")
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc (.ci/install-deps installs it): " + log);
        deny = out;
    }

    static LauncherIT.Result underFilterDenying(int nr, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(deny.toString(), String.valueOf(nr), String.valueOf(EPERM),
                LauncherIT.LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        var err = p.errorReader();
        String out = new String(p.getInputStream().readAllBytes());
        String e = err.lines().reduce("", (a, b) -> a + b + "\n");
        return new LauncherIT.Result(p.waitFor(), out, e);
    }

    @Test
    void refusedPtraceIsOneLineAndStatus125() throws Exception {
        LauncherIT.Result r = underFilterDenying(SYS_PTRACE, "--no-defaults", "--", "echo", "never");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("", r.out(), "the command must not run untraced");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jbinfmt: this host refuses ptrace, which jbinfmt needs to see execs "
                + "(PTRACE_SEIZE of the command's process: Operation not permitted (EPERM)): jbinfmt itself runs "
                + "under a seccomp filter"), r.err());
        assertTrue(r.err().contains("allow ptrace there"), r.err());
    }

    @Test
    void refusedSeccompIsOneLineAndStatus125() throws Exception {
        LauncherIT.Result r = underFilterDenying(SYS_SECCOMP, "--no-defaults", "--", "echo", "never");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("", r.out(), "the command must not run unfiltered");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jbinfmt: this host refuses seccomp filters, which jbinfmt needs to stop "
                + "only at execs (seccomp(SECCOMP_SET_MODE_FILTER) in the command's process: Operation not "
                + "permitted (EPERM)): jbinfmt itself runs under a seccomp filter"), r.err());
    }

    /**
     * The kernel engine under a container's seccomp profile that refuses unshare (Docker's default one does,
     * without CAP_SYS_ADMIN), or mount: exit 125, one line naming the call and the likely cause.
     */
    @Test
    void theKernelEngineRefusedUnshareOrMountIsOneLineAndStatus125() throws Exception {
        assertKernelEngineRefused(SYS_UNSHARE, "unshare(CLONE_NEWUSER|CLONE_NEWNS)");
        // mount comes after the namespaces: only where the kernel engine gets that far
        EngineUnderTest.assumeKernelEngineRuns("RefusingHostIT", List.of());
        assertKernelEngineRefused(SYS_MOUNT, "mount binfmt_misc on /proc/sys/fs/binfmt_misc");
    }

    /** The kernel engine under a filter failing {@code nr}: 125, and one line naming {@code call} and the filter. */
    private static void assertKernelEngineRefused(int nr, String call) throws Exception {
        LauncherIT.Result r = underFilterDenying(nr, "--engine", "kernel", "--no-defaults",
                "--rule", ":x:E::x::/bin/sh:", "--", "echo", "never");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("", r.out(), "the command must not run without its rules");
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jbinfmt: --engine kernel: this host refuses a private binfmt_misc (" + call
                + " in the command's process: Operation not permitted (EPERM)): jbinfmt itself runs under a "
                + "seccomp filter (a container's profile)"), r.err());
    }

    @Test
    void theSameFiltersLeaveOtherSubcommandsWorking() throws Exception {
        // what needs neither call still works there: the rules can be checked on such a host
        LauncherIT.Result r = underFilterDenying(SYS_PTRACE, "rules", "--no-defaults", "--rule", ":x:E::x::/bin/sh:");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(":x:E::x::/bin/sh:"), r.out());
    }
}
