package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;
import io.jbinfmt.tracer.mem.TraceeMemory;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The building blocks of the notify engine (issue 12) against the real kernel, before any engine uses them: the
 * spawner hands the listener of a notifying filter to us; every exec of the tree (forks included, none of them
 * traced) arrives as a notification; "continue" runs it, an errno fails it; POLLHUP says the tree is gone.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NotifyHandoffIT {
    @TempDir
    Path tmp;

    @Test
    void everyExecOfTheTreeReachesTheListener() throws Exception {
        Arch arch = Arch.host();
        List<byte[]> argv = List.of("/bin/sh".getBytes(), "-c".getBytes(),
                "/bin/true; /bin/false; echo $? > status; (/bin/echo from a subshell) > out; exit 3".getBytes());
        List<byte[]> env = List.of("PATH=/usr/bin:/bin".getBytes());
        try (Arena arena = Arena.ofConfined()) {
            SpawnPlan plan = SpawnPlan.prepare(arena, ExecFilter.notifying(arch), "/bin/sh".getBytes(), argv, env,
                    ProcessCalls.geteuid() != 0, tmp.toString().getBytes(), List.of(), Set.of());
            Spawner.Spawned root = Spawner.spawn(arch, plan, arena);
            assertTrue(root.listener() >= 0, "a listener for us");
            TraceeMemory memory = new TraceeMemory(arena);
            MemorySegment status = arena.allocate(4);
            List<String> execs = new ArrayList<>();
            try (SeccompNotify notify = new SeccompNotify(root.listener());
                 Poller poller = new Poller(root.listener())) {
                boolean rootLetGo = false;
                while (true) {
                    assertTrue(poller.poll(60_000) > 0, "no notification and no end within a minute");
                    int ready = poller.revents(0);
                    if ((ready & Poller.IN) != 0) {
                        SeccompNotify.Notification n = notify.receive();
                        assertNotNull(n, "nobody went away in this tree");
                        assertEquals(59, n.nr(), "execve");
                        String path = new String(memory.readCString(n.pid(), n.args()[0], 4095));
                        execs.add(path);
                        assertTrue(notify.valid(n.id()), "still pending after reading its memory");
                        if (path.equals("/bin/false")) {
                            assertTrue(notify.answerError(n.id(), Errno.EACCES.code));
                        } else {
                            assertTrue(notify.answerContinue(n.id()));
                        }
                        if (!rootLetGo) {
                            // the root's own exec: it is seized (EXITKILL, TRACEEXEC) until that exec succeeded
                            assertEquals(root.pid(), n.pid());
                            int who = Wait.wait(root.pid(), Wait.WALL, status);
                            assertInstanceOf(StopEvent.Exec.class, WaitStatusDecoder.decode(who, Wait.status(status)));
                            Ptrace.detach(root.pid(), 0);
                            rootLetGo = true;
                        }
                    } else if ((ready & Poller.HUP) != 0) {
                        break; // no process uses the filter any more
                    }
                }
            }
            assertEquals(List.of("/bin/sh", "/bin/true", "/bin/false", "/bin/echo"), execs);
            assertEquals("126\n", Files.readString(tmp.resolve("status")), "the errno answer failed /bin/false");
            assertEquals("from a subshell\n", Files.readString(tmp.resolve("out")));
            int who = Wait.wait(root.pid(), 0, status);
            assertEquals(root.pid(), who);
            assertTrue(Wait.exited(Wait.status(status)));
            assertEquals(3, Wait.exitCode(Wait.status(status)));
        }
    }
}
