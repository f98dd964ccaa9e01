package io.jbinfmt.tracer.engine;

import io.jbinfmt.tracer.Redirect;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.spawn.SpawnPlan;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A session's command as every engine starts it: its plan laid out, its redirects opened, spawned. */
public final class RootSpawn {
    private RootSpawn() {
    }

    /** What to start: the resolved program, argv and environment, with the session's options. */
    public record Command(SessionOptions options, byte[] path, List<byte[]> argv, List<byte[]> env) {
    }

    /**
     * Lays out the root's plan ({@code filter} null: none; {@code edit} adds to it: a guard, a private
     * binfmt_misc), opens its redirects and spawns it.
     */
    public static Spawner.Spawned spawn(Command command, ExecFilter filter, Arena arena, Arch arch,
                                        UnaryOperator<SpawnPlan> edit) throws SpawnException {
        SessionOptions options = command.options();
        List<int[]> redirects = new ArrayList<>();
        try {
            for (Redirect r : options.redirects()) {
                redirects.add(new int[]{open(r), r.fd()});
            }
            SpawnPlan plan = SpawnPlan.prepare(arena, filter, command.path(), command.argv(), command.env(),
                    ProcessCalls.geteuid() != 0, options.directory(), redirects, options.passFds());
            return Spawner.spawn(arch, edit.apply(plan), arena);
        } finally {
            for (int[] r : redirects) {
                FileCalls.close(r[0]); // the child has its copy now
            }
        }
    }

    private static int open(Redirect r) throws SpawnException {
        int flags = FileCalls.O_CLOEXEC | switch (r.mode()) {
            case READ -> FileCalls.O_RDONLY;
            case WRITE -> FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_TRUNC;
            case APPEND -> FileCalls.O_WRONLY | FileCalls.O_CREAT | FileCalls.O_APPEND;
        };
        try {
            return FileCalls.open(r.path(), flags, 0666);
        } catch (ErrnoException e) {
            throw new SpawnException("cannot redirect descriptor " + r.fd() + " to " + new String(r.path()) + ": "
                    + Errno.message(e.errno()), 0);
        }
    }
}
