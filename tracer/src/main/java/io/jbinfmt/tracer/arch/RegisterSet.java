package io.jbinfmt.tracer.arch;

/**
 * A stopped thread's general registers as the architecture's facts read and set them (by logical name, by byte
 * offset in the register set, and syscall arguments as an ABI passes them); how they are fetched and pushed is the
 * tracer's ({@code io.jbinfmt.tracer.ptrace.Registers}).
 */
public interface RegisterSet {
    long get(Reg reg);

    void set(Reg reg, long value);

    /** The register at byte offset {@code offset} of the register set. */
    long getAt(int offset);

    /** Sets syscall argument {@code n} (1..6) as {@code abi} passes it. */
    void setArg(ExecAbi abi, int n, long value);
}
