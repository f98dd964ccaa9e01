package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.RegisterSet;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Iovec;
import io.jbinfmt.tracer.sys.Ptrace;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A stopped tracee's general registers: fetched once, read and written by logical name, and pushed back
 * only if something changed. Owned by the tracer thread; reused from stop to stop.
 */
public final class Registers implements RegisterSet {
    private final Arch arch;
    private final MemorySegment regs;
    private final MemorySegment iov;
    private boolean dirty;

    public Registers(Arch arch, Arena arena) {
        this.arch = arch;
        this.regs = arena.allocate(arch.registerSetSize(), 16);
        this.iov = Iovec.allocate(arena);
    }

    /** Fetches the registers of stopped tracee {@code tid}. */
    public void fetch(int tid) throws ErrnoException {
        if (arch.registersInTracerLayout()) {
            Ptrace.getRegsTracerLayout(tid, regs);
        } else {
            Ptrace.getRegs(tid, iov, regs);
        }
        dirty = false;
    }

    /** Pushes the registers to {@code tid} if any was set since the fetch. */
    public void push(int tid) throws ErrnoException {
        if (dirty) {
            if (arch.registersInTracerLayout()) {
                Ptrace.setRegsTracerLayout(tid, regs);
            } else {
                Ptrace.setRegs(tid, iov, regs);
            }
            dirty = false;
        }
    }

    @Override
    public long get(Reg reg) {
        return regs.get(ValueLayout.JAVA_LONG, arch.offset(reg));
    }

    @Override
    public void set(Reg reg, long value) {
        regs.set(ValueLayout.JAVA_LONG, arch.offset(reg), value);
        dirty = true;
    }

    /** Syscall argument {@code n} (1..6) as {@code abi} passes it. */
    public long arg(ExecAbi abi, int n) {
        return abi.word(getAt(abi.argOffsets().get(n - 1)));
    }

    @Override
    public void setArg(ExecAbi abi, int n, long value) {
        regs.set(ValueLayout.JAVA_LONG, abi.argOffsets().get(n - 1), abi.word(value));
        dirty = true;
    }

    @Override
    public long getAt(int offset) {
        return regs.get(ValueLayout.JAVA_LONG, offset);
    }

    /** A copy of the raw register set, e.g. to restore it later. */
    public byte[] snapshot() {
        return regs.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Restores a {@link #snapshot()}. */
    public void restore(byte[] snapshot) {
        MemorySegment.copy(snapshot, 0, regs, ValueLayout.JAVA_BYTE, 0, snapshot.length);
        dirty = true;
    }
}
