package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.WaitStatusDecoder;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.process.Spawner;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Carries out exec decisions in the tracee (the mechanism; {@link ExecChain} decides). At the seccomp stop it
 * decodes the exec, asks for a plan, and either lets it run, fails it (syscall skipped, -errno returned), or
 * rewrites it: the new path and argv are written below the stack pointer and the argument registers repointed.
 * A rewritten exec is watched to its syscall-exit stop: on failure the registers are put back as they were; on
 * success {@link NewProgramFixup} touches up the new program before its first instruction.
 */
public final class ExecInterceptor {
    private static final int MAX_ARGS = 1 << 20;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;

    /** A rewritten exec between its entry and exit stops; {@code execEvent}: PTRACE_O_TRACEEXEC was turned on. */
    private record InFlight(byte[] registersBefore, ExecPlan.Rewrite plan, boolean execEvent) {
    }

    private final Arch arch;
    private final RuleSet rules;
    private final ExecListener listener;
    private final TraceeFiles files;
    private final Registers regs;
    private final TraceeMemory memory;
    private final MemorySegment status;
    private final Map<Integer, InFlight> inFlight = new HashMap<>();
    /** Scratch pages mapped in a tracee whose stack had no room for a rewritten argv, by tid. */
    private final Map<Integer, Long> scratch = new HashMap<>();
    private final NewProgramFixup fixup;
    private final Consumer<StopEvent> deaths;

    /**
     * @param deaths receives the death of a tracee that died while we waited on it directly (it is reaped then)
     */
    public ExecInterceptor(Arch arch, RuleSet rules, ExecListener listener, Arena arena,
                           Consumer<StopEvent> deaths) {
        this.deaths = deaths;
        this.arch = arch;
        this.rules = rules;
        this.listener = listener;
        this.files = new TraceeFiles(rules);
        this.regs = new Registers(arch, arena);
        this.memory = new TraceeMemory(arena);
        this.status = arena.allocate(4);
        this.fixup = new NewProgramFixup(arch, regs, memory, status, ProcessCalls.getpid(), deaths);
    }

    /** Whether any exec needs a look at all: with no rules and no listener every exec simply continues. */
    public boolean active() {
        return !rules.isEmpty() || listener != null;
    }

    /**
     * At an exec's seccomp stop. Returns true when the tracee must be resumed with PTRACE_SYSCALL because
     * {@link #onExit} has to see the exec's outcome.
     */
    public boolean onEntry(int tid, ExecFilter.Traced traced, boolean threaded) throws ErrnoException {
        if (!active() || traced == null || !traced.abi().rewritable()) {
            return false; // x32: passed through (the kernel refuses it unless built with x32 support)
        }
        regs.fetch(tid);
        ExecRequest request = ExecDecoder.decode(tid, traced, regs, memory);
        if (request == null) {
            return false;
        }
        ExecPlan plan = ExecChain.plan(request, rules, files,
                () -> readArgv(request));
        if (listener != null) {
            listener.onExec(request, plan);
        }
        return switch (plan) {
            case ExecPlan.Passthrough p -> false;
            case ExecPlan.Fail f -> {
                regs.set(Reg.SYSNUM, -1); // skip the syscall; the tracee sees -errno as its result
                regs.set(Reg.RESULT, -f.errno());
                regs.push(tid);
                yield false;
            }
            case ExecPlan.Rewrite r -> rewrite(request, r, threaded);
        };
    }

    /**
     * The plan with the tracee's environment (from {@code envp}) updated by the rules' entries, carried in the
     * argv list after a NULL marker so one block holds both arrays (see {@link #argvBlock}).
     */
    private ExecPlan.Rewrite withEnvironment(ExecRequest request, ExecPlan.Rewrite plan) throws ErrnoException {
        List<byte[]> env = EnvironmentMerge.apply(memory.readStringArray(request.tid(), request.envpAddr(),
                request.abi().wordSize(), MAX_ARGS), plan.env());
        return new ExecPlan.Rewrite(plan.path(), EnvironmentMerge.argvThenEnvp(plan.argv(), env), env,
                plan.preserveArgv0(), plan.openBinary(), plan.comm(), plan.filename(), plan.applied());
    }

    private List<byte[]> readArgv(ExecRequest r) throws ExecFailure {
        try {
            return memory.readStringArray(r.tid(), r.argvAddr(), r.abi().wordSize(), MAX_ARGS);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot read argv: " + Errno.describe(e.errno()));
        }
    }

    private boolean rewrite(ExecRequest request, ExecPlan.Rewrite plan, boolean threaded) throws ErrnoException {
        int tid = request.tid();
        ExecAbi abi = request.abi();
        byte[] before = regs.snapshot();
        if (!plan.env().isEmpty()) {
            plan = withEnvironment(request, plan);
        }
        int word = abi.wordSize();
        byte[] block = argvBlock(plan, 0, word);
        Long area = scratch.remove(tid);
        long base;
        if (area != null) {
            base = area;
        } else {
            base = (regs.get(Reg.SP) - arch.redZone() - block.length) & ~15L;
        }
        try {
            if (base < 0 || abi.word(base) != base) {
                throw new ErrnoException("no room below an i386 stack pointer", Errno.EFAULT.code);
            }
            memory.write(tid, base, argvBlock(plan, base, word));
        } catch (ErrnoException e) {
            if (e.isGone() || area != null) {
                throw e;
            }
            mapScratchAndRestart(tid, abi, before, block.length);
            releaseBinary(plan);
            return false;
        }
        long pathAddr = base;
        long argvAddr = base + align8(stringsLength(plan));
        regs.set(Reg.SYSNUM, abi.execve()); // an execveat becomes an execve of the interpreter
        regs.setArg(abi, 1, pathAddr);
        regs.setArg(abi, 2, argvAddr);
        regs.setArg(abi, 3, plan.env().isEmpty() ? request.envpAddr()
                : argvAddr + (long) word * (plan.argv().size() - plan.env().size()));
        regs.push(tid);
        if (threaded) {
            // The exec event tells us if a non-leader thread exec'd (its tid changes before the exit stop).
            Ptrace.setOptions(tid, Spawner.OPTIONS | Ptrace.O_TRACEEXEC);
        }
        inFlight.put(tid, new InFlight(before, plan, threaded));
        return true;
    }

    /**
     * The stack had no room below the stack pointer: turn this syscall into an mmap for scratch space, then
     * rewind the tracee to its syscall instruction so the exec runs again, stops again, and is rewritten into
     * the new pages.
     */
    private void mapScratchAndRestart(int tid, ExecAbi abi, byte[] before, int size) throws ErrnoException {
        long length = (size + 4095L) & ~4095L;
        regs.restore(before);
        regs.set(Reg.SYSNUM, abi.calls().mmap());
        regs.setArg(abi, 1, 0);
        regs.setArg(abi, 2, length);
        regs.setArg(abi, 3, PROT_READ_WRITE);
        regs.setArg(abi, 4, MAP_PRIVATE_ANONYMOUS);
        regs.setArg(abi, 5, -1);
        regs.setArg(abi, 6, 0);
        regs.push(tid);
        Ptrace.syscall(tid, 0);
        awaitSyscallExit(tid);
        regs.fetch(tid);
        long mapped = regs.get(Reg.RESULT);
        regs.restore(before);
        if (arch.isError(mapped)) {
            regs.set(Reg.SYSNUM, -1);
            regs.set(Reg.RESULT, -Errno.E2BIG.code);
        } else {
            scratch.put(tid, mapped);
            long nr = regs.get(Reg.SYSNUM);
            // back onto the syscall instruction (for an i386 call through the vDSO, onto its int $0x80 fallback,
            // as the kernel itself restarts calls)
            regs.set(Reg.PC, regs.get(Reg.PC) - abi.calls().instruction().length);
            regs.set(Reg.RESULT, nr); // the syscall instruction takes its number from here again
        }
        regs.push(tid);
    }

    private void awaitSyscallExit(int tid) throws ErrnoException {
        // Between a syscall-entry stop and its exit stop nothing else can be reported for this thread but its death.
        int who = Wait.wait(tid, Wait.WALL, status);
        StopEvent e = WaitStatusDecoder.decode(who, Wait.status(status));
        if (e instanceof StopEvent.Exited || e instanceof StopEvent.Killed) {
            deaths.accept(e);
            throw new ErrnoException("tracee " + tid + " died during an injected syscall", Errno.ESRCH.code);
        }
    }

    /** Whether {@code tid} has a rewritten exec whose exit stop is due. */
    public boolean inFlight(int tid) {
        return inFlight.containsKey(tid);
    }

    /** A non-leader thread exec'd: its in-flight rewrite continues under the leader's tid. */
    public void onExecEvent(int formerTid, int tid) {
        InFlight f = inFlight.remove(formerTid);
        if (f != null) {
            inFlight.put(tid, f);
        }
    }

    /** Releases what the session held for its execs (the F rules' interpreters). */
    public void close() {
        files.close();
    }

    /** Forgets a tracee that died. */
    public void forget(int tid) {
        InFlight f = inFlight.remove(tid);
        if (f != null) {
            releaseBinary(f.plan());
        }
        scratch.remove(tid);
    }

    /**
     * At the syscall-exit stop of a rewritten exec. Returns a signal to deliver when resuming (one that arrived
     * while we were injecting), or 0.
     */
    public int onExit(int tid) throws ErrnoException {
        InFlight f = inFlight.remove(tid);
        try {
            if (f.execEvent()) {
                Ptrace.setOptions(tid, Spawner.OPTIONS);
            }
            regs.fetch(tid);
            long result = regs.get(Reg.RESULT);
            if (result != 0) {
                regs.restore(f.registersBefore()); // the program gets its registers back, and the error
                regs.set(Reg.RESULT, result);
                regs.push(tid);
                return 0;
            }
            // the interpreter may be an i386 program
            return fixup.apply(tid, f.plan(), arch.imageAbi(regs));
        } finally {
            releaseBinary(f.plan());
        }
    }

    private void releaseBinary(ExecPlan.Rewrite plan) {
        if (plan.openBinary() != null) {
            files.release(plan.openBinary());
        }
    }

    private static int stringsLength(ExecPlan.Rewrite plan) {
        int n = plan.path().length + 1;
        for (byte[] a : plan.argv()) {
            n += a == null ? 0 : a.length + 1;
        }
        return n;
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    /**
     * path\0 argv[0]\0 ... padded to 8, then the argv pointers ({@code word} bytes each) and NULL, for placing at {@code base}. A null entry
     * in the list ends one pointer array and starts another (argv, then envp when the rules set variables).
     */
    private static byte[] argvBlock(ExecPlan.Rewrite plan, long base, int word) {
        int strings = align8(stringsLength(plan));
        ByteBuffer b = ByteBuffer.allocate(strings + word * (plan.argv().size() + 1)).order(ByteOrder.nativeOrder());
        b.put(plan.path()).put((byte) 0);
        long[] pointers = new long[plan.argv().size()];
        for (int i = 0; i < pointers.length; i++) {
            byte[] a = plan.argv().get(i);
            if (a != null) {
                pointers[i] = base + b.position();
                b.put(a).put((byte) 0);
            }
        }
        b.position(strings);
        for (long p : pointers) {
            if (word == 8) {
                b.putLong(p);
            } else {
                b.putInt((int) p);
            }
        }
        return b.array(); // the last pointer slot stays zero: the array's NULL
    }


}
