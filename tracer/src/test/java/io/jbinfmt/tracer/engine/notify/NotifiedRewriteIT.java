package io.jbinfmt.tracer.engine.notify;

import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.rewrite.ExecDecision;
import io.jbinfmt.tracer.rewrite.RewriteFaults;

import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.TestPrograms;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.spawn.SpawnPlan;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.Poller;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.SeccompNotify;
import io.jbinfmt.tracer.sys.Wait;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notify engine's rewrite handshake ({@link NotifiedRewrite}) against the kernel, before an engine uses it: a
 * tree under a notifying filter execs a P+O rule's file (from the shell, and from a subshell: a forked process
 * never traced before), a file whose rule names a missing interpreter (the failed exec gets its registers back),
 * and a plain program; what the probe interpreter reports (argv, AT_FLAGS, AT_EXECFD, AT_EXECFN, comm, cwd,
 * descriptors) and the statuses the shell sees must equal what the ptrace engine gives for the same tree.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NotifiedRewriteIT {
    @TempDir
    Path tmp;

    String script() {
        return "./p.x one 'two words' > a.out; echo $? > st; "
                + "(./p.x sub > b.out); echo $? >> st; "
                + "./q.y; echo $? >> st; /bin/true; echo $? >> st; exit 5";
    }

    RuleSet rules() throws Exception {
        RuleSource src = new RuleSource("t", 0);
        return RuleSet.registered(List.of(
                RuleParser.parse((":x:E::x::" + TestPrograms.get("probe") + ":PO").getBytes(), src),
                RuleParser.parse(":y:E::y::/nonexistent/interp:".getBytes(), src)));
    }

    void files(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String f : List.of("p.x", "q.y")) {
            Files.writeString(dir.resolve(f), "x").toFile().setExecutable(true);
        }
    }

    String results(Path dir) throws Exception {
        String all = Files.readString(dir.resolve("st")) + "--\n" + Files.readString(dir.resolve("a.out")) + "--\n"
                + Files.readString(dir.resolve("b.out"));
        return all.replace(dir.toString(), "DIR"); // the two runs' directories differ by name only
    }

    @Test
    void aRewriteThroughTheNotificationHandshakeMatchesThePtraceEngine() throws Exception {
        Path viaNotify = tmp.resolve("notify");
        Path viaNotifySyscall = tmp.resolve("notify-syscall");
        Path viaPtrace = tmp.resolve("ptrace");
        files(viaNotify);
        files(viaNotifySyscall);
        files(viaPtrace);
        int status = underNotify(viaNotify, true);
        int statusSyscall = underNotify(viaNotifySyscall, false);
        ExitStatus ptrace;
        try (Session s = Session.start(SessionOptions.defaults().withRules(rules())
                .withDirectory(viaPtrace.toString().getBytes()), List.of("/bin/sh".getBytes(), "-c".getBytes(),
                script().getBytes()))) {
            ptrace = s.waitFor();
            assertFalse(s.disturbed());
        }
        assertEquals(ptrace.shellStatus(), status, "the command's status");
        assertEquals(ptrace.shellStatus(), statusSyscall, "the command's status, the restarted call run to its entry");
        String expected = results(viaPtrace);
        assertTrue(expected.startsWith("0\n0\n127\n0\n--\nargc=5\n"), expected);
        assertTrue(expected.contains("at_flags=1") && expected.contains("at_execfd=3"), expected);
        assertEquals(expected, results(viaNotify), "stepped over the restarted call");
        assertEquals(expected, results(viaNotifySyscall), "the restarted call run under PTRACE_SYSCALL");
    }

    /**
     * The tree under a notifying filter, with a minimal loop of the engine to come; returns the root's status.
     * {@code mayStep}: each rewrite steps over its restarted call (else runs it under PTRACE_SYSCALL).
     */
    int underNotify(Path dir, boolean mayStep) throws Exception {
        Arch arch = Arch.host();
        RuleSet rules = rules();
        ExecFilter filter = ExecFilter.notifying(arch);
        try (Arena arena = Arena.ofConfined(); TraceeFiles files = new TraceeFiles(rules)) {
            SpawnPlan plan = SpawnPlan.prepare(arena, filter, "/bin/sh".getBytes(), List.of("/bin/sh".getBytes(),
                    "-c".getBytes(), script().getBytes()), List.of("PATH=/usr/bin:/bin".getBytes()),
                    ProcessCalls.geteuid() != 0, dir.toString().getBytes(), List.of(), Set.of());
            Spawner.Spawned root = Spawner.spawn(arch, plan, arena);
            ExecDecision decision = new ExecDecision(rules, null, files, new TraceeMemory(arena));
            MemorySegment st = arena.allocate(4);
            NotifiedRewrite rewrites = new NotifiedRewrite(arch, filter.passCookie(), arena, death -> { }, null,
                    tid -> false, RewriteFaults.NONE);
            List<Long> results = new ArrayList<>();
            try (SeccompNotify notify = new SeccompNotify(root.listener());
                 Poller poller = new Poller(root.listener())) {
                boolean rootLetGo = false;
                while (true) {
                    assertTrue(poller.poll(60_000) > 0, "stuck");
                    if ((poller.revents(0) & Poller.IN) == 0) {
                        break; // POLLHUP: the tree is gone
                    }
                    SeccompNotify.Notification n = notify.receive();
                    assertNotNull(n);
                    ExecDecision.Decided decided = decision.decide(n.pid(), filter.traced(n.arch(), n.nr()), n.args());
                    assertNotNull(decided, "every exec of the script is read");
                    if (decided.plan() instanceof ExecPlan.Rewrite r) {
                        NotifiedRewrite.Finished done = rewrites.run(notify, n, decided.request(), r, false, mayStep,
                                files.heldInterpreter(n.pid(), r), files.blockedSignals(n.pid()));
                        assertTrue(done.tid() > 0, "the thread lived through it");
                        results.add(done.result());
                    } else {
                        notify.answerContinue(n.id());
                    }
                    if (!rootLetGo) {
                        int who = Wait.wait(root.pid(), Wait.WALL, st);
                        assertInstanceOf(StopEvent.Exec.class, WaitStatusDecoder.decode(who, Wait.status(st)));
                        Ptrace.detach(root.pid(), 0);
                        rootLetGo = true;
                    }
                }
            }
            // two rewrites by the P+O rule, one to a missing interpreter (its restarted call was not notified again)
            assertEquals(List.of(0L, 0L, (long) -Errno.ENOENT.code), results);
            Wait.wait(root.pid(), 0, st);
            return Wait.exitCode(Wait.status(st));
        }
    }
}
