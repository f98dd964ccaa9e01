package io.jbinfmt.tracer.arch;

import java.util.List;

/**
 * One syscall ABI a host can run (x86_64, i386, x32 on an x86_64 host): how seccomp names it, which numbers are
 * execve and execveat in it, where its syscall arguments sit in the host's register set, and what the exec
 * rewriting injects into a process of this ABI.
 *
 * @param name       short name for logs
 * @param auditArch  the AUDIT_ARCH_* value seccomp reports in seccomp_data.arch
 * @param execve     execve's number as seccomp_data.nr shows it (x32 numbers include bit 30)
 * @param execveat   execveat's number likewise
 * @param wordSize   the size of a pointer in this ABI's argv arrays
 * @param argOffsets byte offsets of syscall arguments 1..6 in the host's register set
 * @param calls      the calls injected into processes of this ABI; null when execs made through it are only
 *                   passed through, never rewritten
 */
public record ExecAbi(String name, int auditArch, int execve, int execveat, int wordSize, List<Integer> argOffsets,
                      Calls calls) {

    /**
     * The syscalls exec rewriting injects, as this ABI numbers them, and the instruction that makes them.
     *
     * @param mmap         an mmap taking (addr, length, prot, flags, fd, offset)
     * @param openat       openat
     * @param prctl        prctl
     * @param clockGettime clock_gettime
     * @param socketpair   socketpair, recvmsg, dup3 and close: how a new program is handed a descriptor of ours
     *                     where it may not open our /proc/PID/fd ({@code exec.DescriptorHandoff})
     * @param instruction  the machine code of one syscall instruction for this ABI
     */
    public record Calls(int mmap, int openat, int prctl, int clockGettime, int socketpair, int recvmsg, int dup3,
                        int close, byte[] instruction) {
    }

    /** Whether the tracer may rewrite execs made through this ABI. */
    public boolean rewritable() {
        return calls != null && argOffsets.size() == 6;
    }

    /** Keeps a register value to this ABI's word size (an i386 process's registers are zero-extended). */
    public long word(long value) {
        return wordSize == 8 ? value : value & 0xffffffffL;
    }
}
