package io.jbinfmt.tracer.arch;

import io.jbinfmt.bindings.libc.Libc;

/** AUDIT_ARCH_* values, as seccomp reports them in seccomp_data.arch. */
public final class Audit {
    public static final int ARCH_X86_64 = Libc.AUDIT_ARCH_X86_64();
    public static final int ARCH_I386 = Libc.AUDIT_ARCH_I386();
    public static final int ARCH_AARCH64 = Libc.AUDIT_ARCH_AARCH64();
    public static final int ARCH_RISCV64 = Libc.AUDIT_ARCH_RISCV64();

    private Audit() {
    }
}
