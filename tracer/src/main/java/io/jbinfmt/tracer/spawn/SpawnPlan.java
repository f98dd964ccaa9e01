package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.seccomp.Bpf;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.FileCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every byte the root tracee needs, laid out in native memory before the clone: the child's copy of our
 * address space then holds them at the same addresses, so the injected syscalls can point at them.
 *
 * @param stackTop    top of the stack the child runs pause() on
 * @param filter      struct sock_fprog of the exec filter
 * @param path        the command's path, NUL-terminated
 * @param argv        the command's argv, a NULL-terminated array of pointers
 * @param envp        the environment, likewise
 * @param emptySigset an all-zero kernel sigset, to unblock every signal
 * @param noNewPrivs  whether to set PR_SET_NO_NEW_PRIVS (required for seccomp when not root)
 * @param directory   the working directory to change to, NUL-terminated, or null to stay
 * @param redirects   pairs {ourFd, childFd}: our descriptor becomes the child's (stdin/stdout/stderr redirects)
 * @param closeRanges descriptor ranges [first, last] to close, so that only 0-2 and the passed ones remain
 * @param notifying   the filter notifies a listener (seccomp user notification) instead of stopping a tracer:
 *                    installed with NEW_LISTENER, whose descriptor the spawner brings into our process
 * @param tracingFilter with a notifying filter: the tracing one, installed instead when the tree has a listener
 *                    already (EBUSY: jbinfmt under jbinfmt, a container that intercepts syscalls); else null
 * @param binfmt      the kernel engine's namespace set-up (then {@code filter} is null: no filter), or null
 * @param guard       the notify engine's guard: the clone becomes the guard, the command its child; or null
 */
public record SpawnPlan(MemorySegment stackTop, MemorySegment filter, MemorySegment path, MemorySegment argv,
                        MemorySegment envp, MemorySegment emptySigset, boolean noNewPrivs, MemorySegment directory,
                        List<int[]> redirects, List<long[]> closeRanges, boolean notifying,
                        MemorySegment tracingFilter, PrivateBinfmt binfmt, TreeGuard.Plan guard) {

    private static final long STACK_SIZE = 64 * 1024;

    /**
     * Lays out a plan in {@code arena}; {@link #notifying()} is the filter's kind. A notifying filter comes with
     * the tracing one for {@code arch}, the fallback. A null {@code filter}: none (the kernel engine's plan, see
     * {@link #withBinfmt}).
     */
    public static SpawnPlan prepare(Arena arena, ExecFilter filter, byte[] path, List<byte[]> argv,
                                    List<byte[]> env, boolean noNewPrivs, byte[] directory, List<int[]> redirects,
                                    Set<Integer> passFds) {
        MemorySegment stack = arena.allocate(STACK_SIZE, 16);
        return new SpawnPlan(
                stack.asSlice(STACK_SIZE),
                filter == null ? null : Bpf.toSockFprog(filter.program(), arena),
                FileCalls.cString(arena, path),
                pointerArray(arena, argv),
                pointerArray(arena, env),
                arena.allocate(8),
                noNewPrivs,
                directory == null ? null : FileCalls.cString(arena, directory),
                List.copyOf(redirects),
                closeRanges(keep(passFds, redirects)),
                filter != null && filter.notifies(),
                filter != null && filter.notifies() ? Bpf.toSockFprog(filter.tracing().program(), arena) : null,
                null, null);
    }

    /** This plan, with the kernel engine's set-up run before the exec. */
    public SpawnPlan withBinfmt(PrivateBinfmt binfmt) {
        return new SpawnPlan(stackTop, filter, path, argv, envp, emptySigset, noNewPrivs, directory, redirects,
                closeRanges, notifying, tracingFilter, binfmt, guard);
    }

    /** This plan, the command made by a {@link TreeGuard} that the clone becomes. */
    public SpawnPlan withGuard(TreeGuard.Plan guard) {
        return new SpawnPlan(stackTop, filter, path, argv, envp, emptySigset, noNewPrivs, directory, redirects,
                closeRanges, notifying, tracingFilter, binfmt, guard);
    }

    private static Set<Integer> keep(Set<Integer> passFds, List<int[]> redirects) {
        Set<Integer> keep = new java.util.HashSet<>(passFds);
        for (int[] r : redirects) {
            keep.add(r[1]);
        }
        return keep;
    }

    /** The ranges of descriptors from 3 up that are not in {@code keep}. */
    static List<long[]> closeRanges(Set<Integer> keep) {
        List<long[]> ranges = new ArrayList<>();
        long from = 3;
        for (int fd : new TreeSet<>(keep)) {
            if (fd < from) {
                continue;
            }
            if (fd > from) {
                ranges.add(new long[]{from, fd - 1});
            }
            from = fd + 1L;
        }
        ranges.add(new long[]{from, 0xffff_ffffL});
        return ranges;
    }

    static MemorySegment pointerArray(Arena arena, List<byte[]> strings) {
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1L);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, FileCalls.cString(arena, strings.get(i)));
        }
        return array;
    }
}
