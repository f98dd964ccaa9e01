package io.jbinfmt.tracer.differential;

import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.TestPrograms;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jbinfmt run as root, the exec'ing program as nobody: permissions are checked with the program's credentials, as
 * the kernel checks them, not with the tracer's. The kernel's answers come from a private binfmt_misc in a user
 * namespace that maps root and nobody (the userns helper).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CredentialsIT {
    @TempDir
    Path dir;

    static final String MAGIC = "PMAGIC-content\n";

    @Test
    void aProgramRunAsNobodyIsCheckedWithItsOwnCredentials() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        file("owner-only", MAGIC, "rwxr--r--");      // no x for nobody
        file("for-all", MAGIC, "rwxr-xr-x");
        Files.createDirectories(dir.resolve("locked"));
        file("locked/for-all", MAGIC, "rwxr-xr-x");
        Files.setPosixFilePermissions(dir.resolve("locked"), PosixFilePermissions.fromString("rwx------"));
        file("p.root", "x", "rwxr-xr-x");
        file("root-interp", "#!/bin/sh\necho root-interp \"$@\"\n", "rwx------"); // only root may run it
        List<String> rules = List.of(":pm:M::PMAGIC::/bin/echo:", ":ri:E::root::" + dir.resolve("root-interp") + ":");
        String execer = copy(TestPrograms.get("execer"));
        StringBuilder cases = new StringBuilder();
        for (String target : List.of("./owner-only", "./for-all", "./locked/for-all", "./p.root")) {
            cases.append("echo '== ").append(target).append("'; setpriv --reuid=65534 --regid=65534 --clear-groups ")
                    .append(execer).append(" exec ").append(target).append(" x 2>&1; echo \"rc=$?\"\n");
        }
        // the same run as root, where tracer and program have the same rights
        cases.append("echo '== as root'; ").append(execer).append(" exec ./owner-only x; echo \"rc=$?\"\n");

        StringBuilder kernelScript = new StringBuilder("mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc"
                + " || exit 99\ncd " + dir + "\n");
        for (String r : rules) {
            kernelScript.append("printf '%s' '").append(r).append("' > /proc/sys/fs/binfmt_misc/register\n");
        }
        kernelScript.append(cases);
        Path ks = Files.writeString(dir.resolve("kernel.sh"), kernelScript);
        Process p = new ProcessBuilder(copy(TestPrograms.get("userns")), "sh", ks.toString())
                .redirectErrorStream(true).start();
        String kernel = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "the kernel oracle did not run: " + kernel);
        assertTrue(kernel.contains("== ./owner-only\nerrno=EACCES"), "the case tests nothing: " + kernel);

        List<io.jbinfmt.tracer.rules.Rule> parsed = new ArrayList<>();
        for (String r : rules) {
            parsed.add(RuleParser.parse(r.getBytes(), new RuleSource("t", 0)));
        }
        Path out = dir.resolve("jbinfmt.out");
        try (Session s = Session.start(SessionOptions.defaults().withRules(RuleSet.registered(parsed))
                        .withDirectory(dir.toString().getBytes()),
                List.of("sh".getBytes(), "-c".getBytes(), ("( " + cases + ") > " + out + " 2>&1").getBytes()))) {
            assertEquals(ExitStatus.exited(0), s.waitFor());
            assertFalse(s.disturbed());
        }
        assertEquals(kernel, Files.readString(out));
    }

    private void file(String name, String content, String perms) throws Exception {
        Path f = Files.writeString(dir.resolve(name), content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    }

    /** A copy in the test directory, which nobody can reach (target/ may not be). */
    private String copy(Path program) throws Exception {
        Path c = dir.resolve(program.getFileName());
        Files.copy(program, c);
        Files.setPosixFilePermissions(c, PosixFilePermissions.fromString("rwxr-xr-x"));
        return c.toString();
    }
}
