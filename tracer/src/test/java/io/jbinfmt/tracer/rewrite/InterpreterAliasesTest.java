package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.policy.ExecPlan;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.rules.Rule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The names a rewrite execs its interpreter by, made in a directory of the session's (a real one, in a temp dir). */
class InterpreterAliasesTest {
    private static final int EM_X86_64 = 62;
    private static final int EM_AARCH64 = 183;

    @TempDir
    Path tmp;

    static ExecPlan.Rewrite plan(String path, String comm, int machine) {
        return new ExecPlan.Rewrite(path.getBytes(), List.of(path.getBytes(), "./prog".getBytes()), List.of(), false,
                null, comm == null ? null : comm.getBytes(), "./prog".getBytes(), List.<Rule>of(), machine,
                List.of("./prog".getBytes()), false);
    }

    @Test
    void anElfInterpreterIsExecdByALinkNamedAfterTheProgram() throws Exception {
        try (InterpreterAliases aliases = new InterpreterAliases(Arch.host(), tmp)) {
            ExecPlan.Rewrite r = aliases.apply(plan("/bin/true", "hello-aarch64", EM_X86_64), true);
            Path alias = Path.of(new String(r.path()));
            assertEquals("hello-aarch64", alias.getFileName().toString());
            assertEquals(Path.of("/bin/true"), Files.readSymbolicLink(alias));
            assertNull(r.comm(), "no process name left to set");
            assertEquals(List.of("/bin/true", "./prog"), r.argv().stream().map(String::new).toList(),
                    "argv[0] still names the interpreter");
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(alias.getParent())));
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(alias.getParent().getParent())), "any tracee's uid may pass");
            // the same name again: the same link; another interpreter: its own directory
            assertEquals(alias, Path.of(new String(aliases.apply(plan("/bin/true", "hello-aarch64", EM_X86_64),
                    true).path())));
            Path other = Path.of(new String(aliases.apply(plan("/bin/false", "hello-aarch64", EM_X86_64),
                    true).path()));
            assertEquals(Path.of("/bin/false"), Files.readSymbolicLink(other));
            assertFalse(other.getParent().equals(alias.getParent()));
        }
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.toList(), "closing removes the directory");
        }
    }

    @Test
    void whereTheNameCannotBeGivenSoThePlanStaysAsItWas() {
        try (InterpreterAliases aliases = new InterpreterAliases(Arch.host(), tmp)) {
            for (ExecPlan.Rewrite p : List.of(
                    plan("/d/runner.sh", "prog", -1),            // a script gets the name it is exec'd by
                    plan("/usr/bin/qemu-x", "prog", EM_AARCH64), // a host binfmt_misc rule would too
                    plan("/bin/true", null, EM_X86_64),          // no name to give (an fd exec)
                    plan("/bin/true", "caf\u00e9", EM_X86_64),   // not plain ASCII
                    plan("relative/interp", "prog", EM_X86_64),
                    plan("/bin/true", "..", EM_X86_64))) {
                assertSame(p, aliases.apply(p, true), new String(p.path()) + " " + p.pathElfMachine());
            }
            ExecPlan.Rewrite p = plan("/bin/true", "prog", EM_X86_64);
            assertSame(p, aliases.apply(p, false), "a tracee in a chroot or other mounts does not see the link");
        }
    }

    @Test
    void theDirectoriesOfDeadJbinfmtsAreSweptAndLiveOnesKept() throws Exception {
        // from before owner files: swept once a minute old and its pid gone; kept while young
        Path dead = Files.createDirectories(tmp.resolve("jbinfmt-names-999999999-ab/0"));
        Files.createSymbolicLink(dead.resolve("x"), Path.of("/bin/true"));
        Files.setLastModifiedTime(dead.getParent(), FileTime.from(Instant.now().minusSeconds(120)));
        Path young = Files.createDirectories(tmp.resolve("jbinfmt-names-999999999-ef"));
        Path live = Files.createDirectories(tmp.resolve("jbinfmt-names-" + ProcessHandle.current().pid() + "-cd"));
        Path unrelated = Files.createDirectories(tmp.resolve("jbinfmt-names-notapid"));
        // with an owner file: its lock alone decides, whatever the pid in the name says (pid 1 is alive; 999999998
        // is no pid here, as the host's pids are none inside the kernel engine's PID namespace)
        Path unlocked = Files.createDirectories(tmp.resolve("jbinfmt-names-1-aa"));
        Files.writeString(unlocked.resolve("owner"), "");
        Path locked = Files.createDirectories(tmp.resolve("jbinfmt-names-999999998-bb"));
        Files.writeString(locked.resolve("owner"), "");
        Process holder = new ProcessBuilder("python3", "-c", "import fcntl, sys, time\n"
                + "f = open(sys.argv[1], 'r+'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True)\n"
                + "time.sleep(60)", locked.resolve("owner").toString()).start();
        try {
            assertEquals("locked", holder.inputReader().readLine(), "python3 (.ci/packages) took no lock");
            try (InterpreterAliases aliases = new InterpreterAliases(Arch.host(), tmp)) {
                aliases.apply(plan("/bin/true", "prog", EM_X86_64), true);
                assertFalse(Files.exists(dead.getParent()));
                assertFalse(Files.exists(unlocked), "its owner's lock is free: its owner is gone");
                assertTrue(Files.exists(young) && Files.exists(live) && Files.exists(unrelated));
                assertTrue(Files.exists(locked), "its owner holds the lock: alive, in whatever pid namespace");
            }
        } finally {
            holder.destroyForcibly().waitFor();
        }
        try (InterpreterAliases aliases = new InterpreterAliases(Arch.host(), tmp)) {
            aliases.apply(plan("/bin/true", "prog", EM_X86_64), true);
            assertFalse(Files.exists(locked), "its owner died: the next jbinfmt sweeps it");
        }
    }

    @Test
    void aSessionsOwnDirectoryIsLockedWhileInUseAndGoneAfter() throws Exception {
        Path made;
        try (InterpreterAliases aliases = new InterpreterAliases(Arch.host(), tmp)) {
            ExecPlan.Rewrite p = aliases.apply(plan("/bin/true", "prog", EM_X86_64), true);
            made = Path.of(new String(p.path())).getParent().getParent(); // DIR/0/prog
            Path owner = made.resolve("owner");
            assertTrue(Files.exists(owner), made.toString());
            // another process cannot lock it: the owner is alive
            Process probe = new ProcessBuilder("python3", "-c", "import fcntl, sys\n"
                    + "f = open(sys.argv[1], 'r')\n"
                    + "try:\n    fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB); print('free')\n"
                    + "except OSError:\n    print('held')", owner.toString()).start();
            assertEquals("held", probe.inputReader().readLine());
            probe.waitFor();
        }
        assertFalse(Files.exists(made), "removed when the session ends");
    }
}
