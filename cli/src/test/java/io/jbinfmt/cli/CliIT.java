package io.jbinfmt.cli;

import io.jbinfmt.cli.report.SampleLogs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's features end to end through bin/jbinfmt: check, rules, --system, defaults, --log, --stats, extensions. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CliIT {
    @TempDir
    Path tmp;

    @Test
    void checkExplainsForeignWasmAndNativeFiles() throws Exception {
        Path aarch64 = ForeignFixtures.aarch64("hello");
        Path wasm = ForeignFixtures.wasm("hello");
        LauncherIT.Result r = LauncherIT.run(null, "check", "--rules", ForeignFixtures.rules().toString(),
                aarch64.toString(), wasm.toString(), "/bin/true");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(aarch64 + ": rule qemu-aarch64 runs: /usr/bin/qemu-aarch64 " + aarch64 + "\n"),
                r.out());
        assertTrue(r.out().contains(wasm + ": rule wasm32-wasi runs: " + LauncherIT.REPO.resolve("examples/runners")
                + "/wasm-node " + wasm + "\n"), r.out());
        assertTrue(r.out().contains("/bin/true: no rule matches; the kernel runs it as a native ELF\n"), r.out());
    }

    @Test
    void rulesValidateReportsFileLineColumnAndExits124() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.conf"), """
                # a comment
                :good:E::x::/bin/true:
                :bad:M:oops:ab::/bin/true:
                """);
        LauncherIT.Result r = LauncherIT.run(null, "rules", "--rules", bad.toString(), "--validate");
        assertEquals(ExitCodes.RULES, r.status());
        assertEquals(bad + ":3:8: the offset must be a decimal number\n", r.err());
        LauncherIT.Result run = LauncherIT.run(null, "--rules", bad.toString(), "--", "true");
        assertEquals(ExitCodes.RULES, run.status(), "a run with bad rules must not start");
    }

    @Test
    void everyBrokenLineOfACorpusIsOneFileLineColumnErrorNeverATrace() throws Exception {
        List<String> broken = List.of(
                ":a:E::x", ":nn:E::x:::", ":..:E::x::/bin/i:", ":a/b:E::x::/bin/i:", ":register:E::x::/bin/i:",
                ":t:X::x::/bin/i:", ":t:EE::x::/bin/i:", ":t:M:-1:ab::/bin/i:", ":t:M:1x:ab::/bin/i:",
                ":t:M:300:ab::/bin/i:", ":t:M::\\x4::/bin/i:", ":t:M::\\xzz::/bin/i:", ":t:M::ab:\\xff:/bin/i:",
                ":t:M:::\\xff:/bin/i:", ":t:E::a/b::/bin/i:", ":t:E::::/bin/i:", ":t:E::x::/bin/i:Z",
                ":t:E::x::/bin/i:P P", ":t:E::x::/bin/i", "::E::x::/bin/i:", ":t:M:99999999999:A::/bin/i:",
                ":" + "n".repeat(1950) + ":E::x::/bin/i:", "#jbinfmt:arg", "#jbinfmt:nope t x", "#jbinfmt:env t NOEQUALS");
        Path file = Files.write(tmp.resolve("broken.conf"), broken);
        LauncherIT.Result r = LauncherIT.run(null, "rules", "--rules", file.toString(), "--validate");
        assertEquals(ExitCodes.RULES, r.status());
        List<String> errors = r.err().lines().toList();
        assertEquals(broken.size(), errors.size(), r.err());
        for (int i = 0; i < errors.size(); i++) {
            assertTrue(errors.get(i).matches(java.util.regex.Pattern.quote(file.toString()) + ":" + (i + 1)
                    + ":\\d+: .+"), errors.get(i));
        }
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), r.err());
        Path support = Files.writeString(tmp.resolve("qemu-x"), "package p\ninterpreter /bin/i\ndetector /bin/d\n");
        LauncherIT.Result d = LauncherIT.run(null, "rules", "--rules", support.toString(), "--validate");
        assertEquals(ExitCodes.RULES, d.status());
        assertTrue(d.err().startsWith(support + ":3:1: detector programs are not supported"), d.err());
    }

    @Test
    void aDisturbedRunSaysSoInItsExitStatus() throws Exception {
        // A tracer error injected at the second exec stop: the command still runs to its end, every line of its
        // output arrives, and the exit status is 123 with the error and the command's own status on stderr.
        LauncherIT.Result r = LauncherIT.runWithEnv(Map.of("JBINFMT_JAVA_OPTS", "-Djbinfmt.debug.failAt=Seccomp:2"),
                null, "--no-defaults", "--", "sh", "-c", "/bin/echo one; echo two; exit 3");
        assertEquals(ExitCodes.DISTURBED, r.status(), r.err());
        assertEquals("one\ntwo\n", r.out());
        assertTrue(r.err().matches("(?s)jbinfmt: tracer error at Seccomp\\[tid=\\d+]: the stop observer "
                + "failed: .*fault injected.*\njbinfmt:   pc=0x.*the command's status was 3; exiting 123\n"), r.err());
        LauncherIT.Result clean = LauncherIT.run(null, "--no-defaults", "--", "sh", "-c", "/bin/echo one; exit 3");
        assertEquals(3, clean.status(), "without the fault the same run is undisturbed: " + clean.err());
    }

    @Test
    void aProgramThatDroppedToNobodyGetsItsOpenBinaryDescriptor() throws Exception {
        // issue 20's reproduction: root drops to nobody, then execs a file an OP rule takes; the kernel prints
        // "./f.jbo ./f.jbo hi" (O hands the interpreter the file the exec opened). jbinfmt used to fail to open the
        // descriptor from the new program and hang (notify) or kill it (ptrace).
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path f = Files.writeString(tmp.resolve("f.jbo"), "JBOCRED\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherIT.Result r = LauncherIT.run(null, "--no-defaults", "--rule", ":jbo:M::JBOCRED::/bin/echo:OP", "--",
                "sh", "-c", "cd " + tmp + " && exec setpriv --reuid=65534 --regid=65534 --clear-groups ./f.jbo hi");
        assertEquals(0, r.status(), r.err());
        assertEquals("./f.jbo ./f.jbo hi\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void aFailureInTheMiddleOfARewriteGivesTheProgramOneErrnoAndTheRunGoesOn() throws Exception {
        // at the argv write, under whichever engine this pass runs: the first exec fails with ENOEXEC (sh then runs
        // the file as a script: "JBX: not found", 127), the second is rewritten, the run ends 123
        Path f = Files.writeString(tmp.resolve("p.jbx"), "JBX\n");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        LauncherIT.Result r = LauncherIT.runWithEnv(Map.of("JBINFMT_JAVA_OPTS", "-Djbinfmt.debug.failAt=argv-write:1"),
                null, "--no-defaults", "--rule", ":jbx:M::JBX::/bin/echo:", "--", "sh", "-c",
                "cd " + tmp + " && ./p.jbx one 2>/dev/null; echo rc=$?; ./p.jbx two");
        assertEquals(ExitCodes.DISTURBED, r.status(), r.err());
        assertEquals("rc=127\n./p.jbx two\n", r.out());
        assertTrue(r.err().matches("(?s)jbinfmt: tracer error at .*the exec fails with ENOEXEC.*fault injected.*"
                + "the command's status was 0; exiting 123\n"), r.err());
    }

    @Test
    void systemReadsDebiansQemuRules() throws Exception {
        Path root = Path.of(System.getenv().getOrDefault("JBINFMT_QEMU_BINFMT_ROOT", "/opt/jbinfmt-ci/qemu-user-binfmt"));
        assertTrue(Files.isDirectory(root.resolve("usr/share/binfmts")),
                root + " has no Debian qemu-user-binfmt files: .ci/run unpacks them there");
        LauncherIT.Result r = LauncherIT.runWithEnv(Map.of("JBINFMT_JAVA_OPTS", "-Djbinfmt.sysroot=" + root), null,
                "rules", "--system");
        assertEquals(0, r.status(), r.err());
        // binfmt.d and binfmt-support both define qemu-aarch64: the later registration (binfmt.d) replaces it
        assertTrue(r.out().contains("# " + root + "/usr/lib/binfmt.d/qemu-aarch64.conf:1\n"
                + ":qemu-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02"), r.out());
        assertTrue(r.out().contains("/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PO\n"), r.out());
    }

    @Test
    void anUnopenableFInterpreterIsSkippedInTheSystemsRulesAndAnErrorInOurs() throws Exception {
        // systemd-binfmt registers every line the kernel accepts and logs the others; a file given with --rules is
        // ours to fix, so there it is an error
        Path root = tmp.resolve("sysroot");
        Path dir = Files.createDirectories(root.resolve("usr/lib/binfmt.d"));
        Path conf = Files.writeString(dir.resolve("x.conf"), ":gone:E::gone::/nonexistent/emulator:F\n"
                + ":kept:E::kept::/bin/true:F\n");
        LauncherIT.Result system = LauncherIT.runWithEnv(Map.of("JBINFMT_JAVA_OPTS", "-Djbinfmt.sysroot=" + root),
                null, "rules", "--system");
        assertEquals(0, system.status(), system.err());
        assertTrue(system.err().startsWith("jbinfmt: warning: " + conf + ":1: rule 'gone' has flag F but its "
                + "interpreter cannot be opened"), system.err());
        assertTrue(!system.out().contains(":gone:") && system.out().contains(":kept:"), system.out());
        LauncherIT.Result given = LauncherIT.run(null, "rules", "--rules", conf.toString());
        assertEquals(ExitCodes.RULES, given.status());
        assertTrue(given.err().startsWith(conf + ":1: rule 'gone' has flag F"), given.err());
    }

    @Test
    void defaultsDetectTheInstalledQemuEmulators() throws Exception {
        LauncherIT.Result r = LauncherIT.run(null, "rules");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(":qemu-aarch64:M:0:"), r.out());
        assertTrue(r.out().contains(":/usr/bin/qemu-aarch64:\n"), r.out());
        assertTrue(r.out().contains(":qemu-riscv64:M:0:"), r.out());
        assertTrue(!r.out().contains(":qemu-x86_64:"), "the host's own architecture is no foreign one");
        // and they apply without any option
        Path hello = ForeignFixtures.aarch64("hello");
        LauncherIT.Result run = LauncherIT.run(null, "--", hello.toString(), "exit=4");
        assertEquals(4, run.status(), run.err());
        assertEquals("hello from " + hello + " argc=2 [exit=4]\n", run.out());
    }

    @Test
    void logHasOneJsonLinePerExecAndOnePerRewrittenProcessThatEnded() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        Path log = tmp.resolve("exec.log");
        LauncherIT.Result r = LauncherIT.run(null, "--rules", ForeignFixtures.rules().toString(), "--log",
                log.toString(), "--log-format", "json", "--", "sh", "-c", "/bin/true; " + hello + " x exit=3; true");
        assertEquals(0, r.status(), r.err());
        List<String> lines = Files.readAllLines(log);
        assertEquals(4, lines.size(), lines.toString());
        String head = "\\{\"event\":\"exec\",\"time_ms\":\\d+,\"pid\":\\d+,";
        assertTrue(lines.get(0).matches(head + "\"path\":\"/usr/bin/sh\",\"decision\":\"pass\"}"), lines.get(0));
        assertTrue(lines.get(1).matches(head + "\"path\":\"/bin/true\",\"decision\":\"pass\"}"), lines.get(1));
        assertTrue(lines.get(2).matches(head + "\"path\":\"" + hello + "\",\"args\":\\[\"" + hello + "\",\"x\","
                + "\"exit=3\"],\"decision\":\"rewrite\",\"rules\":\\[\"qemu-aarch64\"],\"interpreter\":"
                + "\"/usr/bin/qemu-aarch64\",\"argv\":\\[\"/usr/bin/qemu-aarch64\",\"" + hello + "\",\"x\",\"exit=3\"],"
                + "\"preserve_argv0\":false,\"execfd\":false}"), lines.get(2));
        String pid = lines.get(2).replaceAll(".*\"pid\":(\\d+),.*", "$1");
        assertTrue(lines.get(3).matches("\\{\"event\":\"exit\",\"time_ms\":\\d+,\"pid\":" + pid + ",\"path\":\""
                + hello + "\",\"rules\":\\[\"qemu-aarch64\"],\"status\":\"exited\",\"exit_code\":3,"
                + "\"wall_ms\":\\d+\\.\\d{3},\"user_ms\":\\d+\\.\\d{3},\"sys_ms\":\\d+\\.\\d{3},"
                + "\"max_rss_kb\":(null|[1-9]\\d*)}"), lines.get(3));
        // qemu's CPU time is milliseconds at least: a real measurement, not a zero. Only the sum: the kernel splits
        // a short process's exact runtime into user and system by its few ticks, so either part may be 0
        double cpu = Double.parseDouble(lines.get(3).replaceAll(".*\"user_ms\":([0-9.]+),.*", "$1"))
                + Double.parseDouble(lines.get(3).replaceAll(".*\"sys_ms\":([0-9.]+),.*", "$1"));
        assertTrue(cpu >= 1.0, lines.get(3));
    }

    /**
     * A program whose non-leader thread execs a rewritten file: the thread's tid is gone once the exec is done
     * (it takes its leader's), so the exit record names the thread as the exec record did, and report links them.
     */
    @Test
    void aThreadsRewrittenExecAndItsEndShareOnePid() throws Exception {
        Path execer = Files.createDirectories(Path.of("target/test-programs")).resolve("exec_from_thread")
                .toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O1", "-Wall", "-pthread", "-o", execer.toString(),
                "../tracer/src/test/c/exec_from_thread.c").redirectErrorStream(true).start();
        String gccLog = new String(gcc.getInputStream().readAllBytes());
        assertEquals(0, gcc.waitFor(), "gcc (.ci/install-deps installs it): " + gccLog);
        Path six = Files.writeString(tmp.resolve("six.rw"), "exit 6\n");
        Files.setPosixFilePermissions(six, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path log = tmp.resolve("thread.log");
        LauncherIT.Result r = LauncherIT.run(null, "--rule", ":rw:E::rw::/bin/sh:", "--log", log.toString(),
                "--log-format", "json", "--", execer.toString(), six.toString());
        assertEquals(6, r.status(), r.err());
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), lines.toString());
        String execPid = lines.get(1).replaceAll(".*\"pid\":(\\d+),.*", "$1");
        String exitPid = lines.get(2).replaceAll(".*\"pid\":(\\d+),.*", "$1");
        assertTrue(lines.get(1).contains("\"decision\":\"rewrite\""), lines.get(1));
        assertTrue(lines.get(2).contains("\"status\":\"exited\",\"exit_code\":6"), lines.get(2));
        assertEquals(execPid, exitPid, lines.toString());
        String process = lines.get(0).replaceAll(".*\"pid\":(\\d+),.*", "$1");
        assertTrue(!execPid.equals(process), "the exec was a thread's, not the process leader's: " + lines);
        LauncherIT.Result report = LauncherIT.run(null, "report", "--json", log.toString());
        assertEquals(0, report.status(), report.err());
        assertTrue(report.out().contains("\"stray_exit_records\" : [ ]"), report.out());
        assertTrue(report.out().contains("\"unfinished\" : 0"), report.out());
    }

    @Test
    void textLogSaysHowEachRewrittenProcessEnded() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        LauncherIT.Result r = LauncherIT.run(null, "-v", "--rules", ForeignFixtures.rules().toString(), "--",
                "sh", "-c", hello + " exit=5; true");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().matches("(?s).*jbinfmt: pid \\d+ exit 5 after \\d+\\.\\d ms, CPU \\d+\\.\\d ms user \\+ "
                + "\\d+\\.\\d ms sys(, max RSS \\d+ kB)?: " + hello + "\n.*"), r.err());
    }

    @Test
    void statsCountExecsPerRule() throws Exception {
        Path hello = ForeignFixtures.aarch64("hello");
        LauncherIT.Result r = LauncherIT.run(null, "--rules", ForeignFixtures.rules().toString(), "--stats", "--",
                "sh", "-c", hello + "; " + hello + " exit=2; /bin/true");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("jbinfmt: 4 execs: 2 rewritten, 2 passed through, 0 failed by a rule\n"), r.err());
        assertTrue(r.err().contains("jbinfmt:   rule qemu-aarch64: 2\n"), r.err());
        assertTrue(r.err().matches("(?s).*jbinfmt:   processes of qemu-aarch64: 2 ended, 1 failed \\(non-zero exit or "
                + "signal\\); wall \\d+\\.\\d ms, CPU [1-9]\\d*\\.\\d ms in all\n.*"), r.err());
    }

    @Test
    void theImageShipsAManPageAndACompletionScript() throws Exception {
        Path man = LauncherIT.REPO.resolve("cli/target/jbinfmt-image/share/man/man1/jbinfmt.1");
        String page = Files.readString(man);
        assertTrue(page.startsWith(".TH JBINFMT 1"), page);
        assertTrue(page.contains(".SH EXIT STATUS") && page.contains("\\-\\-rules") && page.contains(".SS check"),
                page);
        assertTrue(page.contains(".SS report") && page.contains(".SS diff") && page.contains("\\-\\-html"), page);
        LauncherIT.Result completion = LauncherIT.run(null, "completion");
        assertEquals(0, completion.status(), completion.err());
        assertTrue(completion.out().contains("complete -F _complete_jbinfmt"), completion.out());
        assertTrue(completion.out().contains("--rules"), completion.out());
        assertTrue(completion.out().contains("report") && completion.out().contains("diff"), completion.out());
        assertTrue(completion.out().contains("--html"), completion.out());
    }

    @Test
    void reportAndDiffRunFromTheLauncherAndDiffAfterDashDashIsTheProgram() throws Exception {
        Path a = Files.writeString(tmp.resolve("a.jsonl"), SampleLogs.exec(1, "r", "/i", "./t", "./t") + "\n"
                + SampleLogs.exited(1, 0, 10, 1.0, 1.0) + "\n");
        Path b = Files.writeString(tmp.resolve("b.jsonl"), SampleLogs.exec(1, "r", "/i", "./t", "./t") + "\n"
                + SampleLogs.exited(1, 2, 10, 1.0, 1.0) + "\n");
        LauncherIT.Result report = LauncherIT.run(null, "report", a.toString());
        assertEquals(0, report.status(), report.err());
        assertTrue(report.out().startsWith("jbinfmt report: 1 rewritten process"), report.out());
        assertEquals(0, LauncherIT.run(null, "diff", a.toString(), a.toString()).status());
        LauncherIT.Result differs = LauncherIT.run(null, "diff", a.toString(), b.toString());
        assertEquals(1, differs.status(), differs.err());
        assertTrue(differs.out().contains("  exited 0  exited 2\n"), differs.out());
        LauncherIT.Result missing = LauncherIT.run(null, "report", tmp.resolve("none.jsonl").toString());
        assertEquals(125, missing.status());
        assertEquals("jbinfmt: " + tmp.resolve("none.jsonl") + ": cannot read: no such file\n", missing.err());
        // diff(1) itself, traced: its own exit status and output
        LauncherIT.Result diff1 = LauncherIT.run(null, "--", "diff", a.toString(), b.toString());
        assertEquals(1, diff1.status(), diff1.err());
        assertTrue(diff1.out().startsWith("1c1") || diff1.out().startsWith("2c2"), diff1.out());
    }

    @Test
    void extensionLinesGiveTheInterpreterArgumentsAndEnvironment() throws Exception {
        Path show = Files.writeString(tmp.resolve("show.sh"), "#!/bin/sh\necho \"args: $*\"; echo \"FOO=$FOO KEEP=$KEEP\"\n");
        Files.setPosixFilePermissions(show, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path prog = Files.writeString(tmp.resolve("prog.ext"), "x");
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path rules = Files.writeString(tmp.resolve("ext.conf"), ":ext:E::ext::" + show + ":\n"
                + "#jbinfmt:arg ext --flag\n#jbinfmt:arg ext two words\n#jbinfmt:env ext FOO=from-rule\n");
        LauncherIT.Result r = LauncherIT.runWithEnv(Map.of("FOO", "old", "KEEP", "kept"), null, "--rules", rules.toString(),
                "--", prog.toString(), "a");
        assertEquals(0, r.status(), r.err());
        assertEquals("args: --flag two words " + prog + " a\nFOO=from-rule KEEP=kept\n", r.out());
    }
}
