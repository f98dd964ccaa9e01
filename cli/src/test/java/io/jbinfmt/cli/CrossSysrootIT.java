package io.jbinfmt.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dynamically linked aarch64 program (plain {@code aarch64-linux-gnu-gcc hello.c}) under the defaults: qemu
 * finds its loader in the Debian cross root, or in jbinfmt's QEMU_LD_PREFIX, through the rule's -L, even when the
 * command runs it with {@code env -i}, which drops QEMU_LD_PREFIX.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CrossSysrootIT implements EndToEndDriver {
    private static final String DEBIAN_ROOT = "/usr/aarch64-linux-gnu";
    private static final String LOADER_ERROR = "Could not open '/lib/ld-linux-aarch64.so.1'";

    @TempDir
    Path tmp;

    @BeforeAll
    static void toolsAreInstalled() {
        // missing tools fail the test (never skip it): .ci/packages installs them
        assertTrue(DefaultRules.onPath("qemu-aarch64") != null, "qemu-aarch64 is not on PATH (apt-get install qemu-user)");
        assertTrue(Files.isDirectory(Path.of(DEBIAN_ROOT, "lib")),
                DEBIAN_ROOT + "/lib is missing (apt-get install libc6-dev-arm64-cross)");
    }

    @Test
    void aDynamicProgramRunsUnderTheDefaultsAfterEnvI() throws Exception {
        Path hello = dynamicHello();
        LauncherIT.Result r = run(null, "-v", "--", "env", "-i", "PATH=/usr/bin:/bin", hello.toString(), "x");
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from " + hello + " argc=2 [x]\n", r.out());
        if (EngineUnderTest.seesNoExecs()) {
            EngineUnderTest.assertKernelEngineRan(r.err()); // the kernel ran it: the -L reached qemu all the same
        } else {
            assertTrue(r.err().contains(": rewrite by qemu-aarch64 -> /usr/bin/qemu-aarch64 -L " + DEBIAN_ROOT + " "
                    + hello + " x\n"), r.err());
        }
    }

    @Test
    void withoutTheRuleArgumentEnvIDropsTheSysroot() throws Exception {
        // the failure the -L argument fixes: a plain qemu rule, QEMU_LD_PREFIX set for jbinfmt, lost to env -i
        Path hello = dynamicHello();
        LauncherIT.Result r = run(DEBIAN_ROOT, "--rules", ForeignFixtures.rules().toString(), "--",
                "env", "-i", "PATH=/usr/bin:/bin", hello.toString(), "x");
        assertNotEquals(0, r.status(), r.out());
        assertTrue(r.err().contains(LOADER_ERROR), r.err());
    }

    @Test
    void jbinfmtsQemuLdPrefixWinsOverTheDebianRoot() throws Exception {
        Path hello = dynamicHello();
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createSymbolicLink(root.resolve("lib"), Path.of(DEBIAN_ROOT, "lib"));
        LauncherIT.Result r = run(root.toString(), "-v", "--", "env", "-i", "PATH=/usr/bin:/bin", hello.toString(),
                "x");
        assertEquals(0, r.status(), r.err());
        assertEquals("hello from " + hello + " argc=2 [x]\n", r.out());
        if (EngineUnderTest.seesNoExecs()) {
            EngineUnderTest.assertKernelEngineRan(r.err());
        } else {
            assertTrue(r.err().contains(": rewrite by qemu-aarch64 -> /usr/bin/qemu-aarch64 -L " + root + " " + hello
                    + " x\n"), r.err());
        }
        // a root without the loader: qemu is given that one, not the Debian root, and says so
        Path empty = Files.createDirectories(tmp.resolve("empty/lib")).getParent();
        LauncherIT.Result e = run(empty.toString(), "--", "env", "-i", "PATH=/usr/bin:/bin", hello.toString());
        assertNotEquals(0, e.status(), e.out());
        assertTrue(e.err().contains(LOADER_ERROR), e.err());
    }

    @Test
    void rulesShowsTheSysrootArgumentAndReloadsToTheSameRun() throws Exception {
        LauncherIT.Result r = run(null, "rules");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(":/usr/bin/qemu-aarch64:\n#jbinfmt:arg qemu-aarch64 -L\n"
                + "#jbinfmt:arg qemu-aarch64 " + DEBIAN_ROOT + "\n"), r.out());
        assertTrue(r.out().contains(":qemu-xtensa:M:0:"), r.out());
        assertTrue(!r.out().contains("#jbinfmt:arg qemu-xtensa"), "Debian has no xtensa root: no -L\n" + r.out());
        // each built-in rule says, in a comment, which sysroot it passes and why
        assertTrue(r.out().contains("# (built-in defaults): aarch64 programs through qemu-user; sysroot -L "
                + DEBIAN_ROOT + " (Debian's cross root)\n:qemu-aarch64:M:0:"), r.out());
        assertTrue(r.out().contains("# (built-in defaults): xtensa programs through qemu-user; no sysroot"), r.out());
        // what it prints is the whole rule: loaded back with --rules, the dynamic program runs the same
        Path printed = Files.writeString(tmp.resolve("printed.conf"), r.out());
        Path hello = dynamicHello();
        LauncherIT.Result again = run(null, "--no-defaults", "--rules", printed.toString(), "--",
                "env", "-i", "PATH=/usr/bin:/bin", hello.toString(), "x");
        assertEquals(0, again.status(), again.err());
        assertEquals("hello from " + hello + " argc=2 [x]\n", again.out());
        // QEMU_LD_PREFIX goes to every qemu rule, as qemu itself would apply it to every target
        LauncherIT.Result prefixed = run("/opt/some-root", "rules");
        assertEquals(0, prefixed.status(), prefixed.err());
        assertTrue(prefixed.out().contains("#jbinfmt:arg qemu-aarch64 -L\n#jbinfmt:arg qemu-aarch64 /opt/some-root\n"),
                prefixed.out());
        assertTrue(prefixed.out().contains("#jbinfmt:arg qemu-xtensa -L\n#jbinfmt:arg qemu-xtensa /opt/some-root\n"),
                prefixed.out());
        assertTrue(!prefixed.out().contains(DEBIAN_ROOT), prefixed.out());
        assertTrue(prefixed.out().contains("aarch64 programs through qemu-user; sysroot -L /opt/some-root "
                + "(QEMU_LD_PREFIX)\n"), prefixed.out());
    }

    /** The dynamic hello, checked to need the loader a plain qemu cannot find on this host. */
    private static Path dynamicHello() throws IOException {
        Path hello = ForeignFixtures.aarch64Dynamic("hello");
        String bytes = new String(Files.readAllBytes(hello), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(bytes.contains("/lib/ld-linux-aarch64.so.1"), hello + " is not dynamically linked");
        return hello;
    }

    /** bin/jbinfmt with QEMU_LD_PREFIX set to {@code qemuLdPrefix}, or unset when null, in its environment. */
    private static LauncherIT.Result run(String qemuLdPrefix, String... args) throws Exception {
        ProcessBuilder pb = LauncherIT.jbinfmt(args);
        pb.environment().remove("QEMU_LD_PREFIX");
        if (qemuLdPrefix != null) {
            pb.environment().put("QEMU_LD_PREFIX", qemuLdPrefix);
        }
        return LauncherIT.start(pb, null);
    }
}
