package io.jbinfmt.tracer.arch;

/**
 * Logical registers of a stopped tracee, mapped to each architecture's register set by {@link Arch}. Syscall
 * arguments depend on the ABI: {@link ExecAbi#argOffsets()} and {@link RegisterSet#setArg}.
 */
public enum Reg {
    /** The syscall number the kernel acts on (x86_64: orig_rax). */
    SYSNUM,
    /** Where a syscall's result (or -errno) is returned (x86_64: rax). */
    RESULT,
    SP,
    PC
}
