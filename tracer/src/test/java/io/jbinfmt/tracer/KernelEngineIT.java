package io.jbinfmt.tracer;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Engine.KERNEL} on the real kernel, as root: the rules work, the host's binfmt_misc is left as it was (not
 * mounted here: still not mounted, nothing registered), and the command cannot change the rules: register is
 * read-only (EROFS), the mount cannot be made read-write or unmounted, and the rules still apply after it tried.
 * Names its engine, so it runs once (not again in the $JBINFMT_ENGINE=ptrace failsafe run).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KernelEngineIT {
    /** The attempts a command makes to change the rules, each one's status printed (shared with cli's tests). */
    static final Path CHANGE_THE_RULES = Path.of("src/test/sh/change-the-rules.sh");

    @TempDir
    Path tmp;

    @BeforeAll
    static void once() {
        Assumptions.assumeFalse("ptrace".equals(System.getenv(Engine.ENVIRONMENT_VARIABLE)),
                "KernelEngineIT: names its engine, run once (in the default failsafe run)");
        Assumptions.assumeTrue(KernelFeatures.binfmtInUserNamespace().present(),
                () -> KernelFeatures.adapting("KernelEngineIT", KernelFeatures.binfmtInUserNamespace(),
                        "the kernel engine cannot run here"));
    }

    /** The host's binfmt_misc as the host sees it: its mounts, and what its directory lists. */
    static String hostBinfmt() throws Exception {
        StringBuilder s = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains("binfmt_misc")) {
                s.append(line).append('\n');
            }
        }
        try (var entries = Files.list(Path.of("/proc/sys/fs/binfmt_misc"))) {
            entries.sorted().forEach(p -> s.append(p.getFileName()).append('\n'));
        }
        return s.toString();
    }

    private String run(String script) throws Exception {
        Path interp = tmp.resolve("interp.sh");
        Files.writeString(interp, "#!/bin/sh\necho \"interp: $*\"\n");
        Files.setPosixFilePermissions(interp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path prog = tmp.resolve("prog.tst");
        Files.writeString(prog, "not a program\n");
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = tmp.resolve("out");
        TracedProcess p = new TracedProcessBuilder("sh", "-c", script)
                .rules(":tst:E::tst::" + interp + ":\n")
                .directory(tmp.toFile())
                .redirectOutput(out.toFile())
                .redirectError(tmp.resolve("err").toFile())
                .engine(Engine.KERNEL)
                .start();
        assertEquals(Engine.KERNEL, p.engine().engine());
        assertEquals(0, p.waitFor(), Files.readString(out));
        return Files.readString(out);
    }

    @Test
    void theRulesApplyAndTheHostsBinfmtMiscIsUntouched() throws Exception {
        String before = hostBinfmt();
        String out = run("./prog.tst a b; grep -c . /proc/sys/fs/binfmt_misc/tst");
        assertEquals("interp: ./prog.tst a b\n4\n", out);
        assertEquals(before, hostBinfmt(), "the host's binfmt_misc changed");
        assertFalse(before.contains("tst"), before);
    }

    @Test
    void theCommandCannotChangeTheRules() throws Exception {
        String out = run(Files.readString(CHANGE_THE_RULES));
        assertEquals("register 2\nremove 2\nremount-rw 32\nbind-remount-rw 32\numount 32\n"
                + "ro,nosuid,nodev,noexec,relatime\ninterp: ./prog.tst still\n", out);
    }

    @Test
    void itSeesNoExecSoItTakesNoListener() {
        assertThrows(IllegalArgumentException.class, () -> new TracedProcessBuilder("true").engine(Engine.KERNEL)
                .recordExecs(true).start());
    }

    @Test
    void aRuleWithExtraArgumentsRunsThroughAWrapperWithThem() throws Exception {
        Path out = tmp.resolve("out");
        Files.writeString(tmp.resolve("x.ext"), "");
        Files.setPosixFilePermissions(tmp.resolve("x.ext"), PosixFilePermissions.fromString("rwxr-xr-x"));
        TracedProcess p = new TracedProcessBuilder("sh", "-c", "./x.ext 'a b' c")
                .rules(":ext:E::ext::/bin/echo:\n#jbinfmt:arg ext it's\n#jbinfmt:env ext X=1\n")
                .directory(tmp.toFile()).redirectOutput(out.toFile()).engine(Engine.KERNEL).start();
        assertEquals(0, p.waitFor());
        assertEquals("it's ./x.ext a b c\n", Files.readString(out));
        try (var left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().startsWith("jbinfmt-wrappers-"
                    + ProcessHandle.current().pid() + "-")), "the wrappers were not removed");
        }
    }

    @Test
    void aRuleWithExtraArgumentsAndPIsRefusedNamingIt() {
        SpawnException e = assertThrows(SpawnException.class, () -> new TracedProcessBuilder("true")
                .rules(":pp:E::pp::/bin/echo:P\n#jbinfmt:arg pp x\n").engine(Engine.KERNEL).start());
        assertTrue(e.getMessage().startsWith("--engine kernel: rule pp ("), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
