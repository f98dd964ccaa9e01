package io.jbinfmt.tracer.seccomp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a BPF program with named labels. Jumps go forward only (classic BPF cannot jump back) and are
 * resolved and range-checked (8 bits) when the program is built.
 */
public final class BpfAssembler {
    private record Pending(int code, String jt, String jf, int k) {
    }

    private final List<Pending> insns = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();

    /** A = the 32-bit word at {@code offset} of seccomp_data. */
    public BpfAssembler load(int offset) {
        insns.add(new Pending(Bpf.LD_W_ABS, null, null, offset));
        return this;
    }

    /** If A == k go to {@code ifTrue}, else to {@code ifFalse}; a null label means the next instruction. */
    public BpfAssembler jumpIfEqual(int k, String ifTrue, String ifFalse) {
        insns.add(new Pending(Bpf.JEQ_K, ifTrue, ifFalse, k));
        return this;
    }

    /** If (A &amp; k) != 0 go to {@code ifSet}, else to {@code ifClear}; null means the next instruction. */
    public BpfAssembler jumpIfAnySet(int k, String ifSet, String ifClear) {
        insns.add(new Pending(Bpf.JSET_K, ifSet, ifClear, k));
        return this;
    }

    /** return k. */
    public BpfAssembler ret(int k) {
        insns.add(new Pending(Bpf.RET_K, null, null, k));
        return this;
    }

    /** Names the position of the next instruction. */
    public BpfAssembler label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalArgumentException("label defined twice: " + name);
        }
        return this;
    }

    /** The program, with every label resolved. */
    public List<Bpf.Insn> build() {
        if (insns.isEmpty() || insns.getLast().code() != Bpf.RET_K) {
            throw new IllegalStateException("a BPF program must end with a return");
        }
        List<Bpf.Insn> out = new ArrayList<>(insns.size());
        for (int i = 0; i < insns.size(); i++) {
            Pending p = insns.get(i);
            out.add(new Bpf.Insn(p.code(), offset(i, p.jt()), offset(i, p.jf()), p.k()));
        }
        if (out.size() > 4096) {
            throw new IllegalStateException("BPF program too long: " + out.size());
        }
        return out;
    }

    private int offset(int from, String label) {
        if (label == null) {
            return 0;
        }
        Integer target = labels.get(label);
        if (target == null) {
            throw new IllegalStateException("undefined label: " + label);
        }
        int offset = target - (from + 1);
        if (offset < 0) {
            throw new IllegalStateException("backward jump to " + label + " from instruction " + from);
        }
        if (offset > 255) {
            throw new IllegalStateException("jump to " + label + " from instruction " + from + " is too far: " + offset);
        }
        return offset;
    }
}
