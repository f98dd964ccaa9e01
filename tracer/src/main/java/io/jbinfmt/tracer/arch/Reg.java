package io.jbinfmt.tracer.arch;

/** Logical registers of a stopped tracee, mapped to each architecture's register set by {@link Arch}. */
public enum Reg {
    /** The syscall number the kernel acts on (x86_64: orig_rax). */
    SYSNUM,
    ARG1, ARG2, ARG3, ARG4, ARG5, ARG6,
    /** Where a syscall's result (or -errno) is returned (x86_64: rax). */
    RESULT,
    SP,
    PC
}
