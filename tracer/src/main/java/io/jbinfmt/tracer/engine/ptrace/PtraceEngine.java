package io.jbinfmt.tracer.engine.ptrace;

import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.engine.RootSpawn;
import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.ptrace.TracerPid;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Signals;

import java.lang.foreign.Arena;

/**
 * The ptrace engine's lifecycle: every process of the tree is its tracee from birth (the filter's exec stops, forks
 * and exits come to {@link EventLoop}); its tree dies with jbinfmt through PTRACE_O_EXITKILL, and {@link #kill}
 * ends it from any thread.
 */
public final class PtraceEngine {
    private final TraceeTable table = new TraceeTable();

    /** Spawns the command under {@code filter} (the tracing one). */
    public Spawner.Spawned spawn(RootSpawn.Command command, ExecFilter filter, Arena arena, Arch arch)
            throws SpawnException {
        return RootSpawn.spawn(command, filter, arena, arch, p -> p);
    }

    /** Takes on a spawned root (ours, or one the notify engine handed back): from here {@link #kill} reaches it. */
    public void adopt(Spawner.Spawned root) {
        table.lookupOrCreate(root.pid()).phase(Tracee.Phase.SPAWNING);
    }

    /** Runs the adopted tree to its end. */
    public TreeEnd run(SessionOptions options, ExecFilter filter, Spawner.Spawned root, Arena arena, Arch arch)
            throws ErrnoException {
        EventLoop loop = new EventLoop(arch, filter.tracing(), options.rules(), options.listener(), table,
                root.pid(), root.heldSignal(), arena, System.err, options.observer(), options.faults());
        try {
            return loop.run();
        } finally {
            loop.close();
        }
    }

    /**
     * SIGKILLs every tracee still alive, from any thread. The table may hold a tid that vanished silently (a
     * non-leader exec) and was reused since: only what {@code tracerTid} still traces is killed.
     */
    public void kill(int tracerTid) {
        for (int tid : table.liveTids()) {
            if (TracerPid.of(tid) != tracerTid) {
                continue;
            }
            try {
                Signals.kill(tid, Signals.SIGKILL);
            } catch (ErrnoException ignored) {
                // already gone
            }
        }
    }
}
