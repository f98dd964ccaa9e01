package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.ErrnoException;

/**
 * Reads an exec's arguments at its seccomp stop: one decoder for both calls, execveat's arguments sitting one
 * register later, behind the directory descriptor,
 * in whichever ABI (x86_64 or i386) made the call.
 */
final class ExecDecoder {
    /** PATH_MAX: a longer path fails in the kernel with ENAMETOOLONG. */
    private static final int PATH_MAX = 4096;

    private ExecDecoder() {
    }

    /** The request, or null when the path cannot be read (the kernel then fails the exec itself). */
    static ExecRequest decode(int tid, ExecFilter.Traced traced, Registers regs, TraceeMemory memory) {
        boolean at = traced.execveat();
        ExecAbi abi = traced.abi();
        int first = at ? 2 : 1;
        int dirfd = at ? (int) regs.arg(abi, 1) : ExecRequest.AT_FDCWD;
        long pathAddr = regs.arg(abi, first);
        long argv = regs.arg(abi, first + 1);
        long envp = regs.arg(abi, first + 2);
        int flags = at ? (int) regs.arg(abi, 5) : 0;
        try {
            byte[] path = memory.readCString(tid, pathAddr, PATH_MAX - 1);
            return new ExecRequest(tid, traced.abi(), at, dirfd, path, flags, argv, envp);
        } catch (ErrnoException e) {
            return null;
        }
    }
}
