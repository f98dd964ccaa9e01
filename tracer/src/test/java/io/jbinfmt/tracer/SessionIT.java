package io.jbinfmt.tracer;

import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real commands under a real tracer: exit statuses, signals, every way of starting processes, isolation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionIT {
    @TempDir
    Path tmp;

    static List<byte[]> argv(String... args) {
        List<byte[]> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.getBytes());
        }
        return out;
    }

    static ExitStatus run(SessionOptions options, String... args) throws Exception {
        try (Session s = Session.start(options, argv(args))) {
            ExitStatus status = s.waitFor();
            assertFalse(s.disturbed(), "the tracer logged errors");
            return status;
        }
    }

    static ExitStatus run(String... args) throws Exception {
        return run(SessionOptions.defaults(), args);
    }

    @Test
    void exitStatusPassesThrough() throws Exception {
        assertEquals(ExitStatus.exited(7), run("sh", "-c", "exit 7"));
        assertEquals(ExitStatus.exited(0), run("true"));
        assertEquals(ExitStatus.exited(1), run("false"));
    }

    @Test
    void deathBySignalIsReportedAsSuch() throws Exception {
        ExitStatus s = run("sh", "-c", "kill -TERM $$");
        assertEquals(ExitStatus.killed(15, false), s);
        assertEquals(143, s.shellStatus());
    }

    @Test
    void signalsReachTheTraceeHandlers() throws Exception {
        assertEquals(ExitStatus.exited(4), run("sh", "-c", "trap 'exit 4' USR1; kill -USR1 $$; sleep 5; exit 1"));
    }

    @Test
    void manyExecsInALoop() throws Exception {
        Path out = tmp.resolve("out");
        assertEquals(ExitStatus.exited(0),
                run("bash", "-c", "for i in $(seq 200); do /bin/true; done; echo ok > " + out));
        assertEquals("ok\n", Files.readString(out));
    }

    @Test
    void forkVforkPosixSpawnAndThreads() throws Exception {
        assertEquals(ExitStatus.exited(0), run(TestPrograms.get("spawn_mix").toString()));
    }

    @Test
    void execFromANonLeaderThread() throws Exception {
        assertEquals(ExitStatus.exited(42), run(TestPrograms.get("exec_from_thread").toString()));
    }

    @Test
    void aRewrittenExecFromANonLeaderThread() throws Exception {
        Path comm = tmp.resolve("comm");
        // the rewritten program must be touched up after the exec although its tid changed: comm shows it
        Path script = Files.writeString(tmp.resolve("x.rw"), "cat /proc/$$/comm > " + comm + "; exit 43\n");
        script.toFile().setExecutable(true);
        var rules = io.jbinfmt.tracer.rules.RuleSet.registered(List.of(io.jbinfmt.tracer.rules.RuleParser.parse(
                ":rw:E::rw::/bin/sh:".getBytes(), new io.jbinfmt.tracer.rules.RuleSource("t", 0))));
        assertEquals(ExitStatus.exited(43), run(SessionOptions.defaults().withRules(rules),
                TestPrograms.get("exec_from_thread").toString(), script.toString()));
        assertEquals("x.rw\n", Files.readString(comm));
    }

    /**
     * jbinfmt keeps programs it has exec'd open for the next exec of the same file, but never one on a mount other
     * than its root's: a descriptor held there would make an umount fail with EBUSY, which it never does without
     * jbinfmt. A settled program (unchanged for over 2 s) on a tmpfs, exec'd twice, then the tmpfs unmounted.
     */
    @Test
    void aProgramOnAMountOfItsOwnLeavesItFreeToBeUnmounted() throws Exception {
        assertEquals(0, io.jbinfmt.tracer.sys.ProcessCalls.geteuid(), "mounting a tmpfs here needs root");
        Path mnt = Files.createDirectory(tmp.resolve("mnt"));
        var rules = io.jbinfmt.tracer.rules.RuleSet.registered(List.of(io.jbinfmt.tracer.rules.RuleParser.parse(
                ":rw:E::rw::/bin/sh:".getBytes(), new io.jbinfmt.tracer.rules.RuleSource("t", 0))));
        String script = "mount -t tmpfs jbinfmt-test " + mnt + " || exit 98; "
                + "printf 'exit 7\\n' > " + mnt + "/p.rw && chmod +x " + mnt + "/p.rw && sleep 2.2; "
                + mnt + "/p.rw; a=$?; " + mnt + "/p.rw; b=$?; "
                + "umount " + mnt + " || exit 99; [ $a$b = 77 ] || exit 97";
        try {
            assertEquals(ExitStatus.exited(0), run(SessionOptions.defaults().withRules(rules), "sh", "-c", script),
                    "99: the umount failed (a descriptor held on the tmpfs); 97: the program did not run twice");
        } finally {
            new ProcessBuilder("sh", "-c", "mountpoint -q " + mnt + " && umount -l " + mnt).inheritIO().start()
                    .waitFor(); // what a failure left mounted
        }
    }

    @Test
    void anI386ProgramExecsNativeAndForeignPrograms() throws Exception {
        // An i386 program's plain exec passes through; its exec of a rule's file is rewritten (the i386 cases of
        // DifferentialIT compare those with the kernel); and a rule whose interpreter is itself an i386 program
        // runs it. The interpreter, exec32, runs its argv[1] with sh -c: the file's name is the script.
        Path exec32 = TestPrograms.getI386("exec32");
        var rules = io.jbinfmt.tracer.rules.RuleSet.registered(List.of(io.jbinfmt.tracer.rules.RuleParser.parse(
                (":i3:E::i3::" + exec32 + ":").getBytes(), new io.jbinfmt.tracer.rules.RuleSource("t", 0))));
        if (noI386ThenLikeTheKernel("anI386ProgramExecsNativeAndForeignPrograms", SessionOptions.defaults()
                .withRules(rules), exec32)) {
            return;
        }
        Path out = tmp.resolve("i386");
        assertEquals(ExitStatus.exited(8), run(SessionOptions.defaults().withRules(rules),
                exec32.toString(), "echo from i386 > " + out + "; exit 8"));
        assertEquals("from i386\n", Files.readString(out));
        Path named = Files.writeString(tmp.resolve("exit 7 #.i3"), "");
        named.toFile().setExecutable(true);
        assertEquals(ExitStatus.exited(7), run(SessionOptions.defaults().withRules(rules),
                "sh", "-c", "cd " + tmp + " && exec " + exec32 + " exec 'exit 7 #.i3' x"));
    }

    @Test
    void anI386ExecGetsTheRulesExtraArgumentsAndEnvironment() throws Exception {
        // #jbinfmt:arg/env from an i386 process: the new argv and envp arrays are written with 4-byte pointers
        Path out = tmp.resolve("seen");
        Path interp = Files.writeString(tmp.resolve("interp"),
                "#!/bin/sh\nprintf '%s|' \"$@\" \"$JBX\" \"$HOME\" > " + out + "\n");
        interp.toFile().setExecutable(true);
        Path target = Files.writeString(tmp.resolve("t.i3e"), "");
        target.toFile().setExecutable(true);
        var rule = io.jbinfmt.tracer.rules.RuleParser.parse((":e:E::i3e::" + interp + ":").getBytes(),
                        new io.jbinfmt.tracer.rules.RuleSource("t", 0))
                .withExtraArg("--extra".getBytes()).withExtraEnv("JBX=from-rule".getBytes());
        SessionOptions options = SessionOptions.defaults()
                .withRules(io.jbinfmt.tracer.rules.RuleSet.registered(List.of(rule)))
                .withEnvironment(List.of("HOME=/home/x".getBytes(), "JBX=before".getBytes()));
        if (noI386ThenLikeTheKernel("anI386ExecGetsTheRulesExtraArgumentsAndEnvironment", options,
                TestPrograms.getI386("exec32"))) {
            return;
        }
        assertEquals(ExitStatus.exited(0), run(options, TestPrograms.getI386("exec32").toString(), "exec",
                target.toString(), "argv0", "a b"));
        assertEquals("--extra|" + target + "|a b|from-rule|/home/x|", Files.readString(out));
    }

    /**
     * Where the kernel cannot run i386 programs, says so in one line and checks that the i386 program, as the
     * command, fails as the kernel makes it fail without jbinfmt (ENOEXEC); returns whether that was the case.
     */
    static boolean noI386ThenLikeTheKernel(String test, SessionOptions options, Path i386Program) throws Exception {
        KernelFeatures.Feature i386 = KernelFeatures.i386();
        if (i386.present()) {
            return false;
        }
        System.out.println(KernelFeatures.adapting("SessionIT." + test, i386,
                "checked only that an i386 command fails with ENOEXEC, as without jbinfmt"));
        SpawnException e = assertThrows(SpawnException.class, () -> run(options, i386Program.toString(), "exit 8"));
        assertEquals(Errno.ENOEXEC.code, e.errno(), e.getMessage());
        return true;
    }

    @Test
    void aRewrittenArgvNeverSpillsPastASmallStacksMapping() throws Exception {
        // A posix_spawn-like child on a 36 KiB stack right above a writable mapping of its parent execs a
        // rule's file with ~70 KB of arguments: the rewritten argv must go elsewhere (mmap'd pages), not below
        // the stack's mapping into the parent's memory.
        Path target = Files.writeString(tmp.resolve("t.big"), "");
        target.toFile().setExecutable(true);
        var rules = io.jbinfmt.tracer.rules.RuleSet.registered(List.of(io.jbinfmt.tracer.rules.RuleParser.parse(
                ":big:E::big::/bin/sh:".getBytes(), new io.jbinfmt.tracer.rules.RuleSource("t", 0))));
        Path out = tmp.resolve("spawn.out");
        assertEquals(ExitStatus.exited(0), run(SessionOptions.defaults().withRules(rules), "sh", "-c",
                TestPrograms.get("spawn_stack") + " " + target + " 3000 > " + out));
        // sh runs the empty t.big as a script: status 0
        assertEquals("below: intact (0 bytes changed); status 0\n", Files.readString(out));
    }

    @Test
    void anX32ExecNeverUpsetsTheTracer() throws Exception {
        Path out = tmp.resolve("x32");
        ExitStatus s = run("sh", "-c", TestPrograms.get("exec_x32") + " > " + out);
        assertEquals(ExitStatus.exited(9), s);
        assertTrue(Files.readString(out).startsWith("x32 execve: -1 "), Files.readString(out));
    }

    @Test
    void execveatWithEmptyPathAndWithDirfd() throws Exception {
        String prog = TestPrograms.get("execveat").toString();
        assertEquals(ExitStatus.exited(43), run(prog, "empty"));
        assertEquals(ExitStatus.exited(44), run(prog, "dirfd"));
    }

    @Test
    void parentsSeeTheirTracedChildrenStopAndContinue() throws Exception {
        assertEquals(ExitStatus.exited(0), run(TestPrograms.get("job_control").toString()));
    }

    @Test
    void aMultiThreadedJvmRunsUnderTheTracer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = tmp.resolve("version");
        assertEquals(ExitStatus.exited(0), run("sh", "-c", java + " -version 2> " + out));
        assertTrue(Files.readString(out).contains("version"), Files.readString(out));
    }

    @Test
    void noJvmDescriptorLeaksIntoTheCommand() throws Exception {
        Path out = tmp.resolve("fds");
        // ls opens /proc/self/fd itself as fd 3; anything beyond 0-3 would be ours
        assertEquals(ExitStatus.exited(0), run("sh", "-c", "ls /proc/self/fd > " + out));
        assertEquals(List.of("0", "1", "2", "3"), Files.readAllLines(out));
    }

    @Test
    void theCommandRunsUnderTheSeccompFilterWithNoSignalBlocked() throws Exception {
        Path out = tmp.resolve("status");
        assertEquals(ExitStatus.exited(0), run("sh", "-c", "grep -E '^(Seccomp|SigBlk):' /proc/self/status > " + out));
        assertEquals(List.of("SigBlk:\t0000000000000000", "Seccomp:\t2"), Files.readAllLines(out));
    }

    @Test
    void waitsForDaemonsLeftBehind() throws Exception {
        Path late = tmp.resolve("late");
        assertEquals(ExitStatus.exited(3), run("sh", "-c", "(sleep 0.5; echo late > " + late + ") & exit 3"));
        assertEquals("late\n", Files.readString(late), "jbinfmt returned before the daemon finished");
    }

    @Test
    void argumentsAndEnvironmentAreBytes() throws Exception {
        Path out = tmp.resolve("bytes");
        byte[] odd = {'a', (byte) 0xff, (byte) 0xfe, 'z', (byte) 0xc3};
        List<byte[]> command = new ArrayList<>(argv("sh", "-c", "printf %s \"$1$X\" > " + out, "sh"));
        command.add(odd);
        byte[] env = Arrays.copyOf("X=".getBytes(), 3);
        env[2] = (byte) 0x80;
        List<byte[]> environment = List.of("PATH=/usr/bin:/bin".getBytes(), env);
        try (Session s = Session.start(SessionOptions.defaults().withEnvironment(environment), command)) {
            assertEquals(ExitStatus.exited(0), s.waitFor());
        }
        byte[] expected = Arrays.copyOf(odd, odd.length + 1);
        expected[odd.length] = (byte) 0x80;
        assertArrayEquals(expected, Files.readAllBytes(out));
    }

    @Test
    void aRewrittenExecKeepsNonUtf8BytesInPathAndArguments() throws Exception {
        Path out = tmp.resolve("seen");
        Path interp = Files.writeString(tmp.resolve("interp"), "#!/bin/sh\nprintf '%s|%s' \"$1\" \"$2\" > " + out + "\n");
        interp.toFile().setExecutable(true);
        byte[] name = {'a', (byte) 0xff, 'b', '.', 'e', 'x', 't'};
        byte[] arg = {'x', (byte) 0xfe, (byte) 0xc3};
        // create the oddly named program with the shell, which takes the bytes as they are
        assertEquals(ExitStatus.exited(0), run("sh", "-c", "cd " + tmp + " && printf x > \"$(printf 'a\\377b.ext')\"; "
                + "chmod +x \"$(printf 'a\\377b.ext')\""));
        var rules = io.jbinfmt.tracer.rules.RuleSet.registered(List.of(io.jbinfmt.tracer.rules.RuleParser.parse(
                (":ext:E::ext::" + interp + ":").getBytes(), new io.jbinfmt.tracer.rules.RuleSource("t", 0))));
        List<byte[]> command = new ArrayList<>();
        command.add(concat("./".getBytes(), name));
        command.add(arg);
        try (Session s = Session.start(SessionOptions.defaults().withRules(rules)
                .withDirectory(tmp.toString().getBytes()), command)) {
            assertEquals(ExitStatus.exited(0), s.waitFor());
        }
        assertArrayEquals(concat("./".getBytes(), name, "|".getBytes(), arg), Files.readAllBytes(out));
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    @Test
    void commandNotFoundAndNotExecutable() throws Exception {
        SpawnException missing = assertThrows(SpawnException.class, () -> run("no-such-command-jbinfmt"));
        assertEquals(Errno.ENOENT.code, missing.errno());
        Path plain = Files.writeString(tmp.resolve("plain"), "echo hi\n");
        SpawnException denied = assertThrows(SpawnException.class, () -> run(plain.toString()));
        assertEquals(Errno.EACCES.code, denied.errno());
        SpawnException dir = assertThrows(SpawnException.class, () -> run(tmp.toString()));
        assertEquals(Errno.EACCES.code, dir.errno());
    }

    @Test
    void aTraceeKilledWhileStoppedAtItsExecIsNotAnError() throws Exception {
        AtomicInteger execs = new AtomicInteger();
        io.jbinfmt.tracer.policy.ExecListener killSecondExec = (request, plan) -> {
            if (execs.incrementAndGet() == 2) {
                try {
                    Signals.kill(request.tid(), Signals.SIGKILL);
                } catch (io.jbinfmt.tracer.sys.ErrnoException e) {
                    throw new AssertionError(e);
                }
            }
        };
        Path out = tmp.resolve("status");
        ExitStatus s = run(SessionOptions.defaults().withListener(killSecondExec),
                "sh", "-c", "/bin/true; echo $? > " + out + "; exit 3");
        assertEquals(ExitStatus.exited(3), s);
        assertEquals("137\n", Files.readString(out), "the shell must see its child killed by SIGKILL");
    }

    @Test
    void aGroupStoppedTraceeCanBeKilled() throws Exception {
        Path pidFile = tmp.resolve("pid");
        try (Session s = Session.start(SessionOptions.defaults(),
                argv("sh", "-c", "sleep 30 & echo $! > " + pidFile + "; wait $!"))) {
            int pid = awaitPid(pidFile);
            Signals.kill(pid, 19); // SIGSTOP
            // /proc shows a group-stop under ptrace as a tracing stop; the notify engine traces nobody
            awaitState(pid, s.engine().engine() == Engine.PTRACE ? 't' : 'T');
            Signals.kill(pid, Signals.SIGKILL);
            assertEquals(ExitStatus.exited(137), s.waitFor());
            assertFalse(s.disturbed());
        }
    }

    @Test
    void theEmbeddingJvmCanStillRunOrdinaryProcesses() throws Exception {
        try (Session s = Session.start(SessionOptions.defaults(), argv("sh", "-c", "sleep 0.5; exit 6"))) {
            for (int i = 0; i < 5; i++) {
                Process p = new ProcessBuilder("sh", "-c", "exit 5").start();
                assertEquals(5, p.waitFor());
            }
            assertEquals(ExitStatus.exited(6), s.waitFor());
        }
    }

    @Test
    void twoSessionsAtOnceEachSeeTheirOwnTree() throws Exception {
        try (Session a = Session.start(SessionOptions.defaults(), argv("sh", "-c", "sleep 0.3; exit 11"));
             Session b = Session.start(SessionOptions.defaults(), argv("sh", "-c", "sleep 0.1; exit 12"))) {
            assertEquals(ExitStatus.exited(12), b.waitFor());
            assertEquals(ExitStatus.exited(11), a.waitFor());
        }
    }

    @Test
    void closeKillsARunningTree() throws Exception {
        Session s = Session.start(SessionOptions.defaults(), argv("sleep", "30"));
        int pid = s.pid();
        s.close();
        assertEquals(ExitStatus.killed(Signals.SIGKILL, false), s.waitFor());
        assertFalse(Files.exists(Path.of("/proc/" + pid + "/status")) && state(pid) != 'Z');
    }

    /**
     * close() on a tree whose command has left a double-forked daemon: the daemon dies too (under notify, the guard
     * it was reparented to kills it; under ptrace, it is a tracee), and the session ends with the command's death.
     */
    @Test
    void closeKillsADaemonTheCommandLeftBehind() throws Exception {
        Path pidFile = tmp.resolve("daemon");
        Session s = Session.start(SessionOptions.defaults(), argv("sh", "-c", "(setsid sh -c 'echo $$ > " + pidFile
                + "; exec sleep 30' </dev/null >/dev/null 2>&1 &); exec sleep 31"));
        int daemon = awaitPid(pidFile);
        if (s.engine().engine() == Engine.NOTIFY) {
            String status = Files.readString(Path.of("/proc/" + daemon + "/status"));
            int parent = Integer.parseInt(status.lines().filter(l -> l.startsWith("PPid:")).findFirst().orElseThrow()
                    .substring(5).trim());
            assertEquals("jbinfmt-guard\n", Files.readString(Path.of("/proc/" + parent + "/comm")),
                    "an orphan of the tree is reparented to the guard");
        }
        s.close();
        assertEquals(ExitStatus.killed(Signals.SIGKILL, false), s.waitFor());
        for (int i = 0; i < 500 && state(daemon) != '?' && state(daemon) != 'Z'; i++) {
            Thread.sleep(10);
        }
        char st = state(daemon);
        assertTrue(st == '?' || st == 'Z', "the daemon outlived the closed session: state " + st);
    }

    /** A spawn that fails (here: a redirect that cannot be opened) leaves none of its descriptors open. */
    @Test
    void aFailedSpawnLeavesNoDescriptorOpen() throws Exception {
        SessionOptions bad = SessionOptions.defaults().withRedirects(List.of(
                new Redirect(1, tmp.resolve("no/such/dir/out").toString().getBytes(), Redirect.Mode.WRITE)));
        assertThrows(SpawnException.class, () -> Session.start(bad, argv("true"))); // warm-up: lazily made state
        long before = openDescriptors();
        for (int i = 0; i < 20; i++) {
            assertThrows(SpawnException.class, () -> Session.start(bad, argv("true")));
        }
        assertEquals(ExitStatus.exited(0), run("true"));
        assertEquals(before, openDescriptors());
    }

    static long openDescriptors() throws java.io.IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static int awaitPid(Path file) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (Files.exists(file)) {
                String s = Files.readString(file).trim();
                if (!s.isEmpty()) {
                    return Integer.parseInt(s);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no pid in " + file);
    }

    static char state(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (java.io.IOException e) {
            return '?';
        }
    }

    static void awaitState(int pid, char state) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            if (state(pid) == state) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("process " + pid + " never reached state " + state + " (is " + state(pid) + ")");
    }

}
