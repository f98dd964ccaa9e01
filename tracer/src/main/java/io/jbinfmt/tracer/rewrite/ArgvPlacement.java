package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.mem.StackMapping;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.sys.ErrnoException;

import java.util.List;

/**
 * Where a rewritten exec's new path, argv and envp go in the tracee, for both user-space engines: below its stack
 * pointer, past the ABI's red zone, 16-byte aligned, inside the stack's own mapping; else (see each engine) in
 * pages mapped for it.
 */
public final class ArgvPlacement {
    /** mmap's protection and flags for such pages. */
    public static final int PROT_READ_WRITE = 3;
    public static final int MAP_PRIVATE_ANONYMOUS = 0x22;

    private ArgvPlacement() {
    }

    /**
     * The block's address below {@code sp} for thread {@code tid}, or -1 where there is no room: below 0, beyond
     * an i386 word, or past the start of the stack's mapping (into a neighbour: a posix_spawn child's small stack
     * may sit right above its parent's writable mappings, or unmapped).
     */
    public static long belowStack(Arch arch, ExecAbi abi, int tid, long sp, int blockSize) {
        long base = (sp - arch.redZone() - blockSize) & ~15L;
        if (base < 0 || abi.word(base) != base || !StackMapping.holds(tid, sp, base, blockSize)) {
            return -1;
        }
        return base;
    }

    /** Bytes of pages that hold a block of {@code blockSize}. */
    public static long pagesFor(int blockSize) {
        return (blockSize + 4095L) & ~4095L;
    }

    /**
     * The plan with the tracee's environment (from {@code envp}) updated by the rules' entries, carried in the
     * argv list after a NULL marker so one block holds both arrays (see {@link ArgvBlock}); the plan as it is when
     * its rules set no environment.
     */
    public static ExecPlan.Rewrite withEnvironment(TraceeMemory memory, ExecRequest request, ExecPlan.Rewrite plan)
            throws ErrnoException {
        if (plan.env().isEmpty()) {
            return plan;
        }
        List<byte[]> env = EnvironmentMerge.apply(memory.readStringArray(request.tid(), request.envpAddr(),
                request.abi().wordSize(), ExecDecoder.MAX_ARGS), plan.env());
        return plan.withArgv(EnvironmentMerge.argvThenEnvp(plan.argv(), env), env);
    }
}
