package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.policy.ExecChain;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.seccomp.ExecFilter;

/**
 * The step around the policy that both user-space engines take at an exec, whatever stopped it: whether to look
 * at all, decode the call, plan it ({@link ExecChain}, over the tracee's view of its files). Answering is the
 * engine's own (registers under ptrace, a notification's answer under notify).
 */
public final class ExecDecision {
    private final RuleSet rules;
    private final ExecListener listener;
    private final TraceeFiles files;
    private final TraceeMemory memory;

    public ExecDecision(RuleSet rules, ExecListener listener, TraceeFiles files, TraceeMemory memory) {
        this.rules = rules;
        this.listener = listener;
        this.files = files;
        this.memory = memory;
    }

    /** An exec, read from its caller, and what to do with it. */
    public record Decided(ExecRequest request, ExecPlan plan) {
    }

    /** Whether any exec needs a look at all: with no rules and no listener every exec simply continues. */
    public boolean active() {
        return !rules.isEmpty() || listener != null;
    }

    /**
     * The plan for an exec of thread {@code tid} with the call's six arguments {@code args} (as its ABI passes
     * them); null when it is to run as asked without a look: nothing to look for, a call we do not trace, an ABI
     * we cannot rewrite (x32: the kernel refuses it unless built with x32 support), or a path the kernel will fail
     * to read itself.
     */
    public Decided decide(int tid, ExecFilter.Traced traced, long[] args) {
        if (!active() || traced == null || !traced.abi().rewritable()) {
            return null;
        }
        memory.rememberReads(); // the caller waits in its exec meanwhile: path and argv are read once
        try {
            ExecRequest request = ExecDecoder.decode(tid, traced, args, memory);
            if (request == null) {
                return null;
            }
            return new Decided(request, ExecChain.plan(request, rules, files,
                    () -> ExecDecoder.argv(request, memory)));
        } finally {
            memory.forgetReads();
        }
    }
}
