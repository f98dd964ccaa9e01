package io.jbinfmt.tracer.seccomp;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.sys.SeccompNotify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seccomp filter installed in every traced process: only execve and execveat stop the tracee. For an
 * x86_64 host it is, as pseudo-code:
 * <pre>
 *   switch (arch) {
 *   case AUDIT_ARCH_X86_64:                      // x86_64 and x32 share it; x32 numbers have bit 30 set
 *       if (nr == 59)                 return TRACE | 1;   // execve
 *       if (nr == 322)                return TRACE | 2;   // execveat
 *       if (nr == 0x40000000 | 520)   return TRACE | 5;   // x32 execve
 *       if (nr == 0x40000000 | 545)   return TRACE | 6;   // x32 execveat
 *       return ALLOW;
 *   case AUDIT_ARCH_I386:
 *       if (nr == 11)                 return TRACE | 3;   // execve
 *       if (nr == 358)                return TRACE | 4;   // execveat
 *       return ALLOW;
 *   default:                          return TRACE | 0xffff;  // unknown ABI: let the tracer see everything
 *   }
 * </pre>
 * The TRACE data (the low 16 bits, read back with PTRACE_GETEVENTMSG) says which ABI and which call stopped,
 * so the tracer never has to guess from registers. The {@link #notifying} variant returns USER_NOTIF where this
 * one returns TRACE (a notification carries arch and number itself: {@link #traced(int, int)} decodes them),
 * except for an execve or execveat whose unused sixth argument holds the session's {@link #passCookie()}: that one
 * is allowed. A rewrite restarts the exec with the cookie there, so the rewritten call does not come back to the
 * listener.
 */
public final class ExecFilter {
    /** The TRACE data of a syscall from an ABI the filter does not know. */
    public static final int UNKNOWN_ABI = 0xffff;

    /** What a TRACE data value stands for. */
    public record Traced(ExecAbi abi, boolean execveat) {
    }

    private final List<Traced> traced;
    private final List<Bpf.Insn> program;
    private final int action;
    private final Arch arch;
    private final long passCookie;

    /** The filter for the ptrace engine: execs return TRACE. */
    public ExecFilter(Arch arch) {
        this(arch, Bpf.RET_TRACE, 0);
    }

    /**
     * The filter for the seccomp user-notification engine: execs (and unknown ABIs) go to the listener, but an
     * execve or execveat with {@code passCookie} as its sixth argument (the low 32 bits for a 32-bit ABI) is
     * allowed.
     */
    public static ExecFilter notifying(Arch arch, long passCookie) {
        return new ExecFilter(arch, SeccompNotify.RET_USER_NOTIF, passCookie);
    }

    /** A notifying filter with a random pass cookie, new for each session. */
    public static ExecFilter notifying(Arch arch) {
        long cookie;
        do {
            cookie = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        } while ((int) cookie == 0 || cookie >>> 32 == 0); // never a value a caller passes by accident
        return notifying(arch, cookie);
    }

    private ExecFilter(Arch arch, int action, long passCookie) {
        this.action = action;
        this.arch = arch;
        this.passCookie = passCookie;
        this.traced = new ArrayList<>();
        Map<Integer, List<Integer>> byAudit = new LinkedHashMap<>();
        for (ExecAbi abi : arch.abis()) {
            traced.add(new Traced(abi, false));
            traced.add(new Traced(abi, true));
            byAudit.computeIfAbsent(abi.auditArch(), a -> new ArrayList<>()).add(traced.size() - 2);
        }
        BpfAssembler a = new BpfAssembler().load(Bpf.OFFSET_ARCH);
        for (int audit : byAudit.keySet()) {
            a.jumpIfEqual(audit, "arch_" + Integer.toHexString(audit), null);
        }
        a.ret(action | data(UNKNOWN_ABI));
        for (var e : byAudit.entrySet()) {
            a.label("arch_" + Integer.toHexString(e.getKey())).load(Bpf.OFFSET_NR);
            for (int first : e.getValue()) {
                for (int i = first; i < first + 2; i++) {
                    Traced t = traced.get(i);
                    int nr = t.execveat() ? t.abi().execveat() : t.abi().execve();
                    a.jumpIfEqual(nr, "trace_" + i, null);
                }
            }
            a.ret(Bpf.RET_ALLOW);
            for (int first : e.getValue()) {
                for (int i = first; i < first + 2; i++) {
                    Traced t = traced.get(i);
                    a.label("trace_" + i);
                    if (notifies() && t.abi().rewritable()) {
                        // a rewrite's restarted exec (an execveat where it runs an F interpreter handed in as a
                        // descriptor): its sixth argument, unused by both calls, carries the cookie
                        long cookie = t.abi().word(passCookie);
                        a.load(Bpf.OFFSET_ARG5_LOW).jumpIfEqual((int) cookie, null, "notify_" + i)
                                .load(Bpf.OFFSET_ARG5_HIGH).jumpIfEqual((int) (cookie >>> 32), null, "notify_" + i)
                                .ret(Bpf.RET_ALLOW);
                    }
                    a.label("notify_" + i).ret(action | data(i + 1));
                }
            }
        }
        this.program = a.build();
    }

    /**
     * What a rewrite puts in a restarted exec's sixth argument (unused by execve and execveat) so that this filter lets it
     * through instead of notifying again; {@code abi.word(cookie)} for a 32-bit ABI. 0 for a tracing filter.
     */
    public long passCookie() {
        return passCookie;
    }

    /** The TRACE data for the ABI/call at {@code value}; USER_NOTIF carries none. */
    private int data(int value) {
        return action == Bpf.RET_TRACE ? value : 0;
    }

    /** Whether execs go to a seccomp listener ({@link #notifying}) rather than stop a tracer. */
    public boolean notifies() {
        return action != Bpf.RET_TRACE;
    }

    /** The tracing filter for the same architecture (this one, if it traces). */
    public ExecFilter tracing() {
        return notifies() ? new ExecFilter(arch) : this;
    }

    /** The BPF program. */
    public List<Bpf.Insn> program() {
        return program;
    }

    /** The exec call {@code nr} of the ABI {@code auditArch} stands for, or null when it is no exec we know. */
    public Traced traced(int auditArch, int nr) {
        for (Traced t : traced) {
            if (t.abi().auditArch() == auditArch && nr == (t.execveat() ? t.abi().execveat() : t.abi().execve())) {
                return t;
            }
        }
        return null;
    }

    /** What the TRACE data {@code data} stands for, or null for {@link #UNKNOWN_ABI} and other values. */
    public Traced decode(long data) {
        int i = (int) (data & Bpf.RET_DATA_MASK) - 1;
        return i >= 0 && i < traced.size() ? traced.get(i) : null;
    }
}
