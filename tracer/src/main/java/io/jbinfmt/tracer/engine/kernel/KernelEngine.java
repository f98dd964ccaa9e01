package io.jbinfmt.tracer.engine.kernel;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.engine.RootSpawn;
import io.jbinfmt.tracer.engine.TreeEnd;
import io.jbinfmt.tracer.host.TreeCgroup;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.ptrace.TracerPid;
import io.jbinfmt.tracer.rules.KernelRuleForm;
import io.jbinfmt.tracer.spawn.IdMap;
import io.jbinfmt.tracer.spawn.PrivateBinfmt;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Signals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.IntConsumer;

/**
 * The kernel engine's lifecycle: the rules in the kernel's form (wrapper scripts written), registered in a private
 * binfmt_misc of the command's own user and mount namespaces; the kernel runs every exec. A cgroup, where one can
 * be had, ties the tree to jbinfmt's life; without one, a PID namespace of the tree's own, whose init we trace
 * (with PTRACE_O_EXITKILL: the namespace dies with us), does the same.
 */
public final class KernelEngine {
    private final InterpreterWrappers wrappers;
    private final Engine.Choice choice;
    /** Set before the tracer starts, cleared by it; read by {@link #kill} from any thread. */
    private volatile TreeCgroup cgroup;
    /** Without a cgroup: our pid for the init of the command's PID namespace; else 0. */
    private volatile int namespaceInit;

    private KernelEngine(InterpreterWrappers wrappers, Engine.Choice choice, TreeCgroup cgroup) {
        this.wrappers = wrappers;
        this.choice = choice;
        this.cgroup = cgroup;
    }

    /** The engine for {@code options}' rules, decided before the spawn (the cgroup's watchdog is no child of ours). */
    public static KernelEngine choose(SessionOptions options) throws SpawnException {
        if (options.observer() != null || options.listener() != null) {
            throw new IllegalArgumentException("the kernel engine sees no exec and no stop: it takes no exec listener"
                    + " or stop observer");
        }
        InterpreterWrappers wrappers;
        try {
            wrappers = InterpreterWrappers.write(options.rules(), Path.of(System.getProperty("java.io.tmpdir",
                    "/tmp")));
        } catch (KernelRuleForm.Inexpressible e) {
            throw new SpawnException("--engine kernel: " + e.getMessage(), 0);
        } catch (IOException e) {
            throw new SpawnException("--engine kernel: cannot write the rules' wrapper scripts: " + e, 0);
        }
        String how = "asked for; the rules are in a private binfmt_misc, in user and mount namespaces of the "
                + "command's (" + (ProcessCalls.geteuid() == 0 ? rootIds() : "as this user, with no capabilities")
                + "); the kernel runs every exec, jbinfmt sees none";
        try {
            TreeCgroup group = TreeCgroup.open();
            return new KernelEngine(wrappers, new Engine.Choice(Engine.KERNEL, how + "; the tree lives in "
                    + group.directory() + ", killed through cgroup.kill if jbinfmt dies"), group);
        } catch (TreeCgroup.Unavailable u) {
            return new KernelEngine(wrappers, new Engine.Choice(Engine.KERNEL, how + "; no cgroup of its own ("
                    + u.getMessage() + "), so the tree lives in a PID namespace of its own (pid 1 is jbinfmt's init, "
                    + "the command pid 2, with a fresh /proc), killed with that init if jbinfmt dies"), null);
        }
    }

    /** Root's ids under the kernel engine: the host's, or exactly those of the user namespace jbinfmt runs in. */
    private static String rootIds() {
        IdMap uids = PrivateBinfmt.enclosingMap("uid_map");
        IdMap gids = PrivateBinfmt.enclosingMap("gid_map");
        if (uids.isWhole() && gids.isWhole()) {
            return "as root, mapped to the host's ids";
        }
        return "as root, with the ids of jbinfmt's own user namespace and no others (its uid_map: "
                + uids.summary() + "; its gid_map: " + gids.summary() + ")";
    }

    /** This engine, and why. */
    public Engine.Choice choice() {
        return choice;
    }

    /**
     * Spawns the command with the private binfmt_misc, tells {@code spawned} its pid, lets it go at its exec and
     * waits for the tree's end. Whatever happens, nothing of ours is left when it returns (the wrappers removed,
     * the cgroup let go).
     */
    public TreeEnd run(RootSpawn.Command command, Arena arena, Arch arch, IntConsumer spawned)
            throws SpawnException, ErrnoException {
        try {
            Spawner.Spawned root = spawn(command, arena, arch);
            if (root.init() != null) {
                namespaceInit = root.init().pid();
            }
            spawned.accept(root.pid());
            TreeEnd end = new KernelTree(new Registers(arch, arena), arena.allocate(4)).run(root.pid(),
                    root.heldSignal(), root.init());
            TreeCgroup group = cgroup;
            if (group != null && end.rootEnd() != null) {
                group.awaitEmpty(); // daemons the command left behind, as the other engines wait for them
            }
            return end;
        } finally {
            TreeCgroup c = cgroup;
            if (c != null) {
                cgroup = null;
                c.close();
            }
            wrappers.close(); // before the caller hears of the end: nothing of ours is left then
        }
    }

    private Spawner.Spawned spawn(RootSpawn.Command command, Arena arena, Arch arch) throws SpawnException {
        TreeCgroup group = cgroup;
        Spawner.Spawned root = RootSpawn.spawn(command, null, arena, arch,
                plan -> plan.withBinfmt(PrivateBinfmt.prepare(arena, wrappers.forms(), group == null)));
        if (group != null) {
            try {
                group.adopt(root.pid()); // stopped at its exec until KernelTree lets it go: no child yet
            } catch (TreeCgroup.Unavailable u) {
                Spawner.killAndReap(root.pid());
                throw new SpawnException("the kernel engine: " + u.getMessage(), 0);
            }
        }
        return root;
    }

    /** Kills the whole tree, from any thread: through the cgroup, or the namespace's init while it is still ours. */
    public void kill(int tracerTid) {
        TreeCgroup c = cgroup;
        if (c != null) {
            c.kill();
            return;
        }
        int init = namespaceInit;
        if (init > 0 && TracerPid.of(init) == tracerTid) {
            try {
                Signals.kill(init, Signals.SIGKILL); // the namespace dies with its init (its pid is not reused)
            } catch (ErrnoException ignored) {
                // already gone
            }
        }
    }
}
