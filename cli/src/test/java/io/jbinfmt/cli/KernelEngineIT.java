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
 * user.max_user_namespaces is 0, played by a user namespace of ours); {@code check --engines} on both hosts. Names
 * its engine, so it runs once (not again in the $JBINFMT_ENGINE=ptrace or kernel failsafe runs).
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
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody runs in it
        Path interp = tmp.resolve("interp.sh");
        Files.writeString(interp, "#!/bin/sh\necho \"interp: $*\"\n");
        Files.setPosixFilePermissions(interp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(tmp.resolve("prog.tst"), "data\n");
        Files.setPosixFilePermissions(tmp.resolve("prog.tst"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    static LauncherIT.Result run(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(LauncherIT.LAUNCHER.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
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
        LauncherIT.Result r = run(NO_USERNS, "--engine", "kernel", "--", "true");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("jbinfmt: --engine kernel: this host refuses a private binfmt_misc (unshare(CLONE_NEWUSER|"
                + "CLONE_NEWNS) in the command's process: No space left on device (ENOSPC)): "
                + "user.max_user_namespaces is reached for this user or an enclosing namespace (it is 0: user "
                + "namespaces are off); raise it with sysctl user.max_user_namespaces=N, or use --engine notify or "
                + "ptrace\n", r.err());
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
    }
}
