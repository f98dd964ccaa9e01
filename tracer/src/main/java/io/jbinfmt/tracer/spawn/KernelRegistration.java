package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.ptrace.SyscallInjector;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static io.jbinfmt.tracer.sys.NamespaceFlags.CLONE_NEWNS;
import static io.jbinfmt.tracer.sys.NamespaceFlags.CLONE_NEWUSER;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_BIND;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_NODEV;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_NOEXEC;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_NOSUID;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_RDONLY;
import static io.jbinfmt.tracer.sys.NamespaceFlags.MS_REMOUNT;

/**
 * Runs a {@link PrivateBinfmt} plan in the freshly cloned root, by injected syscalls, before its execve: new user
 * and mount namespaces, binfmt_misc mounted there, every rule written to its {@code register}, the mount made
 * read-only, and a second user namespace the command runs in, which does not own that mount. Where the plan asks
 * for a PID namespace, everything after the first user namespace is done by that namespace's init instead, which
 * then forks the command ({@link PidNamespaceInit}). Every step is checked: a failure ends the spawn (the command
 * never runs with half the rules, or as the outer namespace's root). Runs on the session's tracer thread, the root's
 * parent and tracer.
 */
final class KernelRegistration {
    private static final int PR_CAPBSET_DROP = 24;
    private static final long O_WRONLY_CLOEXEC = FileCalls.O_WRONLY | FileCalls.O_CLOEXEC;
    private static final long O_RDONLY_CLOEXEC = FileCalls.O_RDONLY | FileCalls.O_CLOEXEC;
    /** The mount's flags, repeated in the read-only remount: a bare MS_REMOUNT|MS_BIND|MS_RDONLY clears them. */
    private static final long MOUNT_FLAGS = MS_NOSUID | MS_NODEV | MS_NOEXEC;

    private KernelRegistration() {
    }

    /**
     * Sets up root {@code pid} (driven by {@code child}). Returns null when the root itself is to become the command,
     * else the PID namespace's init, whose child, the command, is to exec (the root's part is then over).
     */
    static PidNamespaceInit setUp(Arch arch, int pid, SyscallInjector child, PrivateBinfmt plan, long syscallPc,
                                  Arena arena) throws ErrnoException, SpawnException {
        boolean root = !plan.unprivileged();
        refusedUnless(HostRefusedException.Refused.USER_NAMESPACE, "unshare(CLONE_NEWUSER|CLONE_NEWNS)", arch, root,
                child.call(arch.unshare(), CLONE_NEWUSER | CLONE_NEWNS));
        if (plan.unprivileged()) {
            // before gid_map, or an unprivileged gid_map is refused; the command can then never drop groups
            try {
                writeFile(pid, "setgroups", "deny");
            } catch (ErrnoException e) {
                throw KernelRefusal.exception(HostRefusedException.Refused.ID_MAP, "write /proc/PID/setgroups", e.errno(),
                        false);
            }
        }
        writeOuterMap(pid, plan.uids(), root);
        writeOuterMap(pid, plan.gids(), root);
        if (plan.pidNamespace() == null) {
            register(arch, pid, child, plan, syscallPc, arena); // the tree's cgroup kills it if jbinfmt dies
            return null;
        }
        // The init is made here, in the first user namespace, which owns the PID namespace: the init is privileged
        // there, and may mount the namespace's /proc.
        PidNamespaceInit init = PidNamespaceInit.fork(arch, pid, child, plan.pidNamespace(), root, syscallPc, arena);
        try {
            init.mountProc();
            register(arch, init.pid(), init.calls(), plan, syscallPc, arena);
            init.forkCommand();
            return init;
        } catch (ErrnoException | SpawnException | RuntimeException e) {
            init.kill();
            throw e;
        }
    }

    /**
     * In process {@code pid} (driven by {@code calls}), in the first user namespace: binfmt_misc mounted, the rules
     * registered, the mount made read-only, then the inner user namespace entered.
     */
    private static void register(Arch arch, int pid, SyscallInjector calls, PrivateBinfmt plan, long syscallPc,
                                 Arena arena) throws ErrnoException, SpawnException {
        boolean root = !plan.unprivileged();
        refusedUnless(HostRefusedException.Refused.BINFMT_MISC, "mount binfmt_misc on " + PrivateBinfmt.MOUNT_POINT, arch,
                root, calls.call(arch.mount(), plan.fsType().address(), plan.mountPoint().address(),
                        plan.fsType().address(), MOUNT_FLAGS, 0));
        long fd = calls.call(arch.nativeAbi().calls().openat(), FileCalls.AT_FDCWD, plan.register().address(),
                O_WRONLY_CLOEXEC);
        refusedUnless(HostRefusedException.Refused.BINFMT_MISC, "open " + PrivateBinfmt.MOUNT_POINT + "/register", arch, root,
                fd);
        for (int i = 0; i < plan.rules().size(); i++) {
            MemorySegment line = plan.rules().get(i);
            long written = calls.call(arch.write(), fd, line.address(), line.byteSize());
            if (written != line.byteSize()) {
                throw new SpawnException("--engine kernel: the kernel refused rule " + plan.ruleNames().get(i) + ": "
                        + (arch.isError(written) ? Errno.describe((int) -written) : "short write"), 0);
            }
        }
        check("close(register)", arch, calls.call(arch.close(), fd));
        refusedUnless(HostRefusedException.Refused.BINFMT_MISC, "remount " + PrivateBinfmt.MOUNT_POINT + " read-only", arch,
                root, calls.call(arch.mount(), 0, plan.mountPoint().address(), 0,
                        MS_REMOUNT | MS_BIND | MS_RDONLY | MOUNT_FLAGS, 0));
        if (plan.unprivileged()) {
            innerUnprivileged(arch, calls, plan);
        } else {
            innerWithHelper(arch, pid, calls, plan, syscallPc, arena);
        }
        for (int cap : plan.boundingDrops()) { // as root of the inner namespace, which may
            check("prctl(PR_CAPBSET_DROP, " + cap + ")", arch, calls.call(arch.prctl(), PR_CAPBSET_DROP, cap, 0, 0, 0));
        }
    }

    /**
     * The unprivileged inner namespace: the child maps our uid and gid back to themselves (only a process in the
     * namespace's parent may write its maps, and we live in the grandparent). setgroups is inherited as deny.
     */
    private static void innerUnprivileged(Arch arch, SyscallInjector child, PrivateBinfmt plan)
            throws ErrnoException, SpawnException {
        refusedUnless(HostRefusedException.Refused.USER_NAMESPACE, "unshare(CLONE_NEWUSER), the inner namespace", arch, false,
                child.call(arch.unshare(), CLONE_NEWUSER));
        writeInnerMap(arch, child, plan.selfUidMap(), plan.innerUidMap(), plan.uids(), "", false);
        writeInnerMap(arch, child, plan.selfGidMap(), plan.innerGidMap(), plan.gids(), "", false);
    }

    /**
     * {@code calls} (the child itself, or root's helper, named by {@code who}) writes the inner namespace's map of
     * {@code ids} to {@code path}. A refusal names the range or limit the map broke where it broke one.
     */
    private static void writeInnerMap(Arch arch, SyscallInjector calls, MemorySegment path, MemorySegment text,
                                      NamespaceIds ids, String who, boolean root) throws ErrnoException,
            SpawnException {
        long fd = calls.call(arch.nativeAbi().calls().openat(), FileCalls.AT_FDCWD, path.address(), O_WRONLY_CLOEXEC);
        refusedUnless(HostRefusedException.Refused.ID_MAP, who + "open the inner " + ids.file(), arch, root, fd);
        long written = calls.call(arch.write(), fd, text.address(), text.byteSize());
        calls.call(arch.close(), fd);
        if (arch.isError(written)) {
            throw KernelRefusal.mapException(who + "write the inner " + ids.file(), (int) -written, root, ids.file(),
                    ids.inner(), ids.outer());
        }
    }

    /**
     * Root's inner namespace with the full identity map: neither we (in the grandparent) nor the child (not
     * privileged over its parent namespace) may write it, so a helper clone joins the first namespace and writes
     * it from there. The helper opens the first namespace before the child leaves it.
     */
    private static void innerWithHelper(Arch arch, int pid, SyscallInjector child, PrivateBinfmt plan,
                                        long syscallPc, Arena arena) throws ErrnoException, SpawnException {
        // laid out now, after the child's clone (its pid is in them) and before the helper's (which must see them)
        MemorySegment userNs = FileCalls.cString(arena, ("/proc/" + pid + "/ns/user").getBytes());
        MemorySegment uidMap = FileCalls.cString(arena, ("/proc/" + pid + "/uid_map").getBytes());
        MemorySegment gidMap = FileCalls.cString(arena, ("/proc/" + pid + "/gid_map").getBytes());
        int helper = ProcessCalls.clone(ProcessCalls.pauseAddress(), plan.helperStack(), Signals.SIGCHLD);
        try {
            SyscallInjector h = Spawner.seizePaused(arch, helper, Ptrace.O_TRACESYSGOOD | Ptrace.O_EXITKILL, syscallPc,
                    arena, true);
            long ns = h.call(arch.nativeAbi().calls().openat(), FileCalls.AT_FDCWD, userNs.address(),
                    O_RDONLY_CLOEXEC);
            check("the helper's open of the first user namespace", arch, ns);
            check("the helper's setns into the first user namespace", arch, h.call(arch.setns(), ns, CLONE_NEWUSER));
            refusedUnless(HostRefusedException.Refused.USER_NAMESPACE, "unshare(CLONE_NEWUSER|CLONE_NEWNS), the inner "
                    + "namespace", arch, true, child.call(arch.unshare(), CLONE_NEWUSER | CLONE_NEWNS));
            writeInnerMap(arch, h, uidMap, plan.innerUidMap(), plan.uids(), "the helper's ", true);
            writeInnerMap(arch, h, gidMap, plan.innerGidMap(), plan.gids(), "the helper's ", true);
        } finally {
            Spawner.killAndReap(helper);
        }
    }

    /**
     * Writes the first namespace's map of {@code ids} to /proc/PID/uid_map (or gid_map) from this process (we live in
     * its parent); a refusal names the range or limit the map broke where it broke one.
     */
    private static void writeOuterMap(int pid, NamespaceIds ids, boolean root) throws SpawnException {
        try {
            writeFile(pid, ids.file(), ids.outer().text());
        } catch (ErrnoException e) {
            throw KernelRefusal.mapException("write /proc/PID/" + ids.file(), e.errno(), root, ids.file(), ids.outer(),
                    ids.enclosing());
        }
    }

    /** Writes /proc/PID/{@code file} in one write(2), as a map or setgroups must be written. */
    private static void writeFile(int pid, String file, String text) throws ErrnoException {
        byte[] b = text.getBytes();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(b.length);
            buf.copyFrom(MemorySegment.ofArray(b));
            int fd = FileCalls.open(("/proc/" + pid + "/" + file).getBytes(), FileCalls.O_WRONLY | FileCalls.O_CLOEXEC,
                    0);
            try {
                FileCalls.write(fd, buf);
            } finally {
                FileCalls.close(fd);
            }
        }
    }

    private static void refusedUnless(HostRefusedException.Refused what, String call, Arch arch, boolean root, long result)
            throws SpawnException {
        if (arch.isError(result)) {
            throw KernelRefusal.exception(what, call, (int) -result, root);
        }
    }

    private static void check(String what, Arch arch, long result) throws SpawnException {
        if (arch.isError(result)) {
            throw new SpawnException("--engine kernel: " + what + " failed in the command's process: "
                    + Errno.describe((int) -result), 0);
        }
    }
}
