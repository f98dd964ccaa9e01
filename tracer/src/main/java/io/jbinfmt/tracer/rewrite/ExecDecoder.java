package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.ExecRequest;

import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;

import java.util.List;

/**
 * Reads an exec's arguments: one decoder for both calls, execveat's arguments sitting one register later, behind
 * the directory descriptor, in whichever ABI (x86_64 or i386) made the call, and for either event source (the
 * registers at a seccomp stop, or the arguments a seccomp user notification carries).
 */
public final class ExecDecoder {
    /** PATH_MAX: a longer path fails in the kernel with ENAMETOOLONG. */
    private static final int PATH_MAX = 4096;
    /** More argv or envp entries than this are not read (the kernel's own limit, E2BIG, is lower). */
    static final int MAX_ARGS = 1 << 20;

    private ExecDecoder() {
    }

    /** The call's six arguments, from the registers of a tracee stopped at it. */
    public static long[] args(ExecFilter.Traced traced, Registers regs) {
        long[] args = new long[6];
        for (int i = 0; i < args.length; i++) {
            args[i] = regs.arg(traced.abi(), i + 1);
        }
        return args;
    }

    /**
     * The request, from the call's six arguments (as the ABI passes them, already cut to its word size); null
     * when the path cannot be read (the kernel then fails the exec itself).
     */
    public static ExecRequest decode(int tid, ExecFilter.Traced traced, long[] args, TraceeMemory memory) {
        boolean at = traced.execveat();
        int first = at ? 1 : 0;
        int dirfd = at ? (int) args[0] : ExecRequest.AT_FDCWD;
        long pathAddr = args[first];
        long argv = args[first + 1];
        long envp = args[first + 2];
        int flags = at ? (int) args[4] : 0;
        try {
            byte[] path = memory.readCString(tid, pathAddr, PATH_MAX - 1);
            return new ExecRequest(tid, traced.abi(), at, dirfd, path, flags, argv, envp);
        } catch (ErrnoException e) {
            return null;
        }
    }

    /** The exec's argv, read from the tracee when a rule needs it; an unreadable one fails the exec with its errno. */
    public static List<byte[]> argv(ExecRequest r, TraceeMemory memory) throws ExecFailure {
        try {
            return memory.readStringArray(r.tid(), r.argvAddr(), r.abi().wordSize(), MAX_ARGS);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot read argv: " + Errno.describe(e.errno()));
        }
    }
}
