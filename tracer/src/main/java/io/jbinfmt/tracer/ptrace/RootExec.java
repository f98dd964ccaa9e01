package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;

/**
 * Whether the command's own exec, started under PTRACE_SYSCALL by the spawner, ran: the exec event says it did;
 * the exit stop of the execve comes first only when it failed, with its errno.
 */
public final class RootExec {
    private RootExec() {
    }

    /**
     * Waits for {@code pid}'s exec event or its exec's exit stop: 0 when it exec'd (stopped at the event), else the
     * errno it failed with (stopped at the exit stop, still in our set-up code).
     */
    public static int await(Arch arch, ThreadWait wait, Registers regs, int pid) throws ErrnoException {
        StopEvent e = wait.await(pid, x -> x instanceof StopEvent.Exec || x instanceof StopEvent.SyscallStop,
                Resume.TO_SYSCALL_EXIT);
        if (e instanceof StopEvent.Exec) {
            return 0;
        }
        regs.fetch(pid);
        return errno(arch, regs.get(Reg.RESULT));
    }

    /** The errno of a failed exec's result register (-errno); ENOEXEC where it holds no errno. */
    public static int errno(Arch arch, long result) {
        return arch.isError(result) ? (int) -result : Errno.ENOEXEC.code;
    }
}
