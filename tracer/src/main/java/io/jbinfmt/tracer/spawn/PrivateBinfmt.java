package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.rules.KernelRuleForm;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel engine's namespace set-up, laid out in native memory before the clone (as {@link SpawnPlan} is):
 * every path, map and register line the child's injected calls point at. {@link KernelRegistration} runs it.
 * Two sequences (docs/kernel-engine-notes.md, measured on Linux 6.18):
 * <ul>
 * <li>root: a user+mount namespace mapping exactly the ranges of jbinfmt's own namespace, each id to itself
 * (written by us: every id on the host, 0 alone under {@code unshare -r}), binfmt_misc mounted and the rules
 * registered there, the mount made read-only; then a second user+mount namespace with the same map, which a helper
 * process writes from inside the first, so that the command is not the owner of the read-only mount: it cannot
 * remount it read-write or unmount it;</li>
 * <li>unprivileged: an outer user+mount namespace mapping 0 to our uid (a user cannot own {@code register}
 * otherwise), mount, register, read-only; then an inner user namespace mapping our uid back to itself, whose map
 * the child writes: the command runs as our uid with no capabilities.</li>
 * </ul>
 * Where no cgroup holds the tree, either sequence runs in the init of a new PID namespace instead of the root, after
 * the first user namespace is made ({@link PidNamespaceInit}).
 *
 * @param unprivileged   which sequence
 * @param uids           the uid maps of both namespaces, and jbinfmt's own they are made from
 * @param gids           the gid maps
 * @param mountPoint     /proc/sys/fs/binfmt_misc
 * @param fsType         "binfmt_misc", as the mount's source and type
 * @param register       the instance's register file
 * @param rules          the register lines, in registration order, each with its length
 * @param ruleNames      their names, for errors
 * @param innerUidMap    the inner namespace's uid_map text (written by the child, or by root's helper)
 * @param innerGidMap    its gid_map text
 * @param selfUidMap     /proc/self/uid_map (unprivileged), else null
 * @param selfGidMap     /proc/self/gid_map (unprivileged), else null
 * @param helperStack    root: the top of the stack the helper process is cloned on, else null
 * @param pidNamespace   where no cgroup holds the tree: what the PID namespace's init is given; else null
 * @param boundingDrops  the capabilities jbinfmt's own bounding set lacks: dropped from the inner namespace's
 *                       (a new user namespace starts with every one), so the command gets no capability it would
 *                       not have without jbinfmt
 */
public record PrivateBinfmt(boolean unprivileged, NamespaceIds uids, NamespaceIds gids, MemorySegment mountPoint,
                            MemorySegment fsType, MemorySegment register, List<MemorySegment> rules,
                            List<String> ruleNames, MemorySegment innerUidMap, MemorySegment innerGidMap,
                            MemorySegment selfUidMap, MemorySegment selfGidMap, MemorySegment helperStack,
                            PidNamespaceInit.Plan pidNamespace, List<Integer> boundingDrops) {

    static final String MOUNT_POINT = "/proc/sys/fs/binfmt_misc";
    private static final long STACK_SIZE = 64 * 1024;

    /**
     * The plan for this process (root, or not: its effective uid and gid) registering {@code forms}, in a PID
     * namespace of the command's if {@code pidNamespace} (no cgroup holds the tree).
     */
    public static PrivateBinfmt prepare(Arena arena, List<KernelRuleForm> forms, boolean pidNamespace) {
        long uid = Integer.toUnsignedLong(ProcessCalls.geteuid());
        long gid = effectiveGid();
        boolean unprivileged = uid != 0;
        List<MemorySegment> lines = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (KernelRuleForm f : forms) {
            lines.add(bytes(arena, f.kernel().toRegisterString()));
            names.add(f.rule().name());
        }
        NamespaceIds uids = NamespaceIds.of("uid", enclosingMap("uid_map"), unprivileged, uid);
        NamespaceIds gids = NamespaceIds.of("gid", enclosingMap("gid_map"), unprivileged, gid);
        return new PrivateBinfmt(unprivileged, uids, gids,
                text(arena, MOUNT_POINT), text(arena, "binfmt_misc"), text(arena, MOUNT_POINT + "/register"),
                List.copyOf(lines), List.copyOf(names),
                bytes(arena, uids.inner().text().getBytes()), bytes(arena, gids.inner().text().getBytes()),
                unprivileged ? text(arena, "/proc/self/uid_map") : null,
                unprivileged ? text(arena, "/proc/self/gid_map") : null,
                unprivileged ? null : arena.allocate(STACK_SIZE, 16).asSlice(STACK_SIZE),
                pidNamespace ? PidNamespaceInit.Plan.prepare(arena) : null, missingFromOurBoundingSet());
    }

    /** The capabilities (up to the kernel's last) missing from our bounding set, from /proc/self/status. */
    static List<Integer> missingFromOurBoundingSet() {
        try {
            int last = Integer.parseInt(new String(FileCalls.readSmall("/proc/sys/kernel/cap_last_cap".getBytes())).trim());
            long bounding = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapBnd:")) {
                    bounding = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
            List<Integer> drops = new ArrayList<>();
            for (int cap = 0; cap <= last && cap < 64; cap++) {
                if ((bounding >>> cap & 1) == 0) {
                    drops.add(cap);
                }
            }
            return List.copyOf(drops);
        } catch (IOException | RuntimeException | io.jbinfmt.tracer.sys.ErrnoException e) {
            return List.of(); // a kernel that does not say: nothing dropped
        }
    }

    /** The map of the user namespace jbinfmt runs in: what the kernel engine's maps may use. */
    public static IdMap enclosingMap(String file) {
        try {
            return IdMap.parse(Files.readString(Path.of("/proc/self/" + file)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read our user namespace's " + file + " from /proc/self", e);
        }
    }

    /** The effective gid, from /proc/self/status (getegid is not among the generated syscall numbers). */
    static long effectiveGid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Gid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read our gid from /proc/self/status", e);
        }
        throw new IllegalStateException("no Gid: line in /proc/self/status");
    }

    private static MemorySegment text(Arena arena, String s) {
        return FileCalls.cString(arena, s.getBytes());
    }

    /** {@code b} in native memory, without a terminating NUL: written with its length. */
    private static MemorySegment bytes(Arena arena, byte[] b) {
        MemorySegment s = arena.allocate(Math.max(1, b.length));
        s.copyFrom(MemorySegment.ofArray(b));
        return s.asSlice(0, b.length);
    }
}
