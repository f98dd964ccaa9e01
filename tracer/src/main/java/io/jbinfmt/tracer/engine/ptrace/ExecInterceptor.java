package io.jbinfmt.tracer.engine.ptrace;

import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.rewrite.ArgvBlock;
import io.jbinfmt.tracer.rewrite.ArgvPlacement;
import io.jbinfmt.tracer.rewrite.ExecDecision;
import io.jbinfmt.tracer.rewrite.ExecDecoder;
import io.jbinfmt.tracer.rewrite.InterpreterAliases;
import io.jbinfmt.tracer.rewrite.InterpreterHandoff;
import io.jbinfmt.tracer.rewrite.NewProgramFixup;
import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rewrite.RewriteStarted;
import io.jbinfmt.tracer.rewrite.RewriteStep;
import io.jbinfmt.tracer.rewrite.TracerError;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.ptrace.Resume;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.ThreadWait;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.spawn.Spawner;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.seccomp.ExecFilter;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Carries out exec decisions in the tracee (the mechanism; {@link io.jbinfmt.tracer.policy.ExecChain} decides). At the seccomp stop it
 * decodes the exec, asks for a plan, and either lets it run, fails it (syscall skipped, -errno returned), or
 * rewrites it: the new path and argv are written below the stack pointer and the argument registers repointed.
 * A rewritten exec is watched to its syscall-exit stop: on failure the registers are put back as they were; on
 * success {@link NewProgramFixup} touches up the new program before its first instruction. What it keeps about an
 * exec lives on the {@link Tracee}; each handler returns how the event loop must restart the tracee.
 */
public final class ExecInterceptor {
    private final Arch arch;
    private final ExecListener listener;
    private final TraceeFiles files;
    private final InterpreterAliases aliases;
    private final InterpreterHandoff interpreters;
    private final Registers regs;
    private final TraceeMemory memory;
    private final MemorySegment status;
    private final ThreadWait wait;
    private final NewProgramFixup fixup;
    private final RewriteStarted newProgram;
    private final RewriteFaults faults;
    private final ExecDecision decision;

    /**
     * @param deaths     receives the death of a tracee that died while we waited on it directly (it is reaped then)
     * @param newProgram told of each rewritten exec that succeeded, at its exit stop (null: none)
     * @param faults     called before each step of a rewrite (tests inject failures there)
     */
    public ExecInterceptor(Arch arch, RuleSet rules, ExecListener listener, Arena arena,
                           Consumer<StopEvent> deaths, RewriteStarted newProgram, RewriteFaults faults) {
        this.faults = faults;
        this.newProgram = newProgram;
        this.arch = arch;
        this.listener = listener;
        this.files = new TraceeFiles(rules);
        this.aliases = new InterpreterAliases(arch);
        this.regs = new Registers(arch, arena);
        this.memory = new TraceeMemory(arena);
        this.decision = new ExecDecision(rules, listener, files, memory);
        this.status = arena.allocate(4);
        this.wait = new ThreadWait(status, deaths);
        this.fixup = new NewProgramFixup(arch, regs, memory, status, ProcessCalls.getpid(), deaths,
                files::reachesOurProc, faults);
        this.interpreters = new InterpreterHandoff(arch, regs, memory, status, deaths);
    }

    /** Whether any exec needs a look at all: with no rules and no listener every exec simply continues. */
    public boolean active() {
        return decision.active();
    }

    /**
     * At an exec's seccomp stop: {@link Resume#TO_SYSCALL_EXIT} when {@link #onExit} has to see the exec's
     * outcome (a rewrite), else {@link Resume#CONTINUE}.
     */
    public Resume onEntry(Tracee t, ExecFilter.Traced traced) throws ErrnoException {
        if (!active() || traced == null) {
            return Resume.CONTINUE;
        }
        int tid = t.tid();
        regs.fetch(tid);
        ExecDecision.Decided decided = decision.decide(tid, traced, ExecDecoder.args(traced, regs));
        if (decided == null) {
            return Resume.CONTINUE;
        }
        ExecRequest request = decided.request();
        ExecPlan plan = decided.plan();
        if (listener != null) {
            listener.onExec(request, plan);
        }
        return switch (plan) {
            case ExecPlan.Passthrough p -> Resume.CONTINUE;
            case ExecPlan.Fail f -> {
                regs.set(Reg.SYSNUM, -1); // skip the syscall; the tracee sees -errno as its result
                regs.set(Reg.RESULT, -f.errno());
                regs.push(tid);
                yield Resume.CONTINUE;
            }
            case ExecPlan.Rewrite r -> rewriteOrFail(t, request, r);
        };
    }

    /**
     * {@link #rewrite}, or, if that fails (not by the tracee's death), the exec fails with the failed call's errno
     * (ENOEXEC for a bug of ours) and its registers are as they were: the failure is thrown on, as a
     * {@link RewriteFailure} for the loop to log, and the tracee is to be resumed as it stands.
     */
    private Resume rewriteOrFail(Tracee t, ExecRequest request, ExecPlan.Rewrite plan) throws ErrnoException {
        byte[] before = regs.snapshot();
        try {
            return rewrite(t, request, plan, before);
        } catch (ErrnoException | RuntimeException e) {
            if (e instanceof ErrnoException x && x.isGone()) {
                throw x;
            }
            int errno = e instanceof ErrnoException x ? x.errno() : Errno.ENOEXEC.code;
            t.rewrite(null);
            releaseBinary(plan);
            regs.restore(before);
            regs.set(Reg.SYSNUM, -1);
            regs.set(Reg.RESULT, -errno);
            regs.push(t.tid());
            int left = t.takeHandedIn();
            if (left >= 0) {
                // an F interpreter handed in for this exec: the thread goes on, keeping nothing of ours; closed at
                // the skipped exec's exit stop, where it is resumed from
                Ptrace.syscall(t.tid(), 0);
                wait.await(t.tid(), StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
                interpreters.close(t.tid(), request.abi(), left);
            }
            throw new RewriteFailure("the exec fails with " + Errno.name(errno), e);
        }
    }

    /** A rewrite step failed and was cleaned up; the message says how the exec ended. */
    public static final class RewriteFailure extends RuntimeException {
        RewriteFailure(String outcome, Exception cause) {
            super(outcome + ": " + TracerError.describe(cause), cause);
        }
    }

    private Resume rewrite(Tracee t, ExecRequest request, ExecPlan.Rewrite plan, byte[] before)
            throws ErrnoException {
        int tid = request.tid();
        ExecAbi abi = request.abi();
        plan = ArgvPlacement.withEnvironment(memory, request, plan);
        int held = files.heldInterpreter(tid, plan);
        int handedIn = t.takeHandedIn(); // one for an exec that is no rewrite by descriptor now is let go
        if (held >= 0 && handedIn < 0) {
            // an F interpreter this thread's root does not show: put it in the thread first, then exec it by that
            int signal = handInAndRestart(t, abi, before, held);
            releaseBinary(plan);
            return Resume.delivering(signal);
        }
        if (held >= 0) {
            t.handedIn(handedIn); // the tracee's until its exec is under way: a failure before closes it
            plan = plan.execdAs(new byte[0], plan.comm()); // the same file, named by the descriptor alone
        }
        // the process name given by the name it is exec'd by, where that can be: no prctl to run in it
        plan = aliases.apply(plan, files.sharesOurFiles(tid));
        int word = abi.wordSize();
        int blockSize = ArgvBlock.size(plan, word);
        long area = t.takeScratchPage();
        long base = area != 0 ? area : ArgvPlacement.belowStack(arch, abi, tid, regs.get(Reg.SP), blockSize);
        try {
            if (base < 0) {
                throw new ErrnoException("no room below the stack pointer in the stack's mapping", Errno.EFAULT.code);
            }
            faults.before(RewriteStep.ARGV_WRITE);
            memory.write(tid, base, ArgvBlock.bytes(plan, base, word));
        } catch (ErrnoException e) {
            if (e.isGone() || area != 0) {
                throw e;
            }
            mapScratchAndRestart(t, abi, before, blockSize); // a handed-in interpreter stays for the exec made again
            releaseBinary(plan);
            return Resume.delivering(wait.takeHeldSignal());
        }
        if (held >= 0) {
            ArgvBlock.pointRegistersAtDescriptor(regs, abi, plan, base, request.envpAddr(), handedIn);
        } else {
            ArgvBlock.pointRegisters(regs, abi, plan, base, request.envpAddr());
        }
        regs.push(tid);
        if (t.threaded()) {
            // The exec event tells us if a non-leader thread exec'd (its tid changes before the exit stop).
            Ptrace.setOptions(tid, Spawner.OPTIONS | Ptrace.O_TRACEEXEC);
        }
        faults.before(RewriteStep.RESTART);
        t.takeHandedIn(); // from here on the exec's: its exit stop closes it if it fails
        t.rewrite(new RewriteInFlight(before, plan, t.threaded(), tid, held >= 0 ? handedIn : -1, abi));
        return Resume.TO_SYSCALL_EXIT;
    }

    /**
     * An F interpreter to exec by descriptor (no ADDFD under ptrace): skip this exec, hand the interpreter in at
     * its exit stop ({@link InterpreterHandoff}: calls run in the thread, with our end of a socket pair taken by
     * pidfd_getfd, so no permission of the thread's is needed), then rewind the thread to its syscall instruction
     * so the exec runs again, stops again, and is rewritten to an execveat of that descriptor. Returns a signal
     * that arrived meanwhile (0: none). A failure leaves the thread at the exit stop, for {@link #rewriteOrFail}
     * to fail the exec.
     */
    private int handInAndRestart(Tracee t, ExecAbi abi, byte[] before, int held) throws ErrnoException {
        int tid = t.tid();
        regs.restore(before);
        regs.set(Reg.SYSNUM, -1);
        regs.push(tid);
        Ptrace.syscall(tid, 0);
        wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
        InterpreterHandoff.HandedIn h = interpreters.handIn(tid, abi, held);
        t.handedIn(h.fd());
        regs.restore(before);
        long nr = regs.get(Reg.SYSNUM);
        // back onto the syscall instruction, as for the scratch pages below
        regs.set(Reg.PC, regs.get(Reg.PC) - abi.calls().instruction().length);
        regs.set(Reg.RESULT, nr);
        regs.push(tid);
        int signal = wait.takeHeldSignal();
        return h.signal() != 0 ? h.signal() : signal;
    }

    /**
     * The stack had no room below the stack pointer: turn this syscall into an mmap for scratch space, then
     * rewind the tracee to its syscall instruction so the exec runs again, stops again, and is rewritten into
     * the new pages.
     */
    private void mapScratchAndRestart(Tracee t, ExecAbi abi, byte[] before, int size) throws ErrnoException {
        int tid = t.tid();
        long length = ArgvPlacement.pagesFor(size);
        regs.restore(before);
        regs.set(Reg.SYSNUM, abi.calls().mmap());
        regs.setArg(abi, 1, 0);
        regs.setArg(abi, 2, length);
        regs.setArg(abi, 3, ArgvPlacement.PROT_READ_WRITE);
        regs.setArg(abi, 4, ArgvPlacement.MAP_PRIVATE_ANONYMOUS);
        regs.setArg(abi, 5, -1);
        regs.setArg(abi, 6, 0);
        regs.push(tid);
        Ptrace.syscall(tid, 0);
        wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
        regs.fetch(tid);
        long mapped = regs.get(Reg.RESULT);
        regs.restore(before);
        if (arch.isError(mapped)) {
            regs.set(Reg.SYSNUM, -1);
            regs.set(Reg.RESULT, -Errno.E2BIG.code);
        } else {
            t.scratchPage(mapped);
            long nr = regs.get(Reg.SYSNUM);
            // back onto the syscall instruction (for an i386 call through the vDSO, onto its int $0x80 fallback,
            // as the kernel itself restarts calls)
            regs.set(Reg.PC, regs.get(Reg.PC) - abi.calls().instruction().length);
            regs.set(Reg.RESULT, nr); // the syscall instruction takes its number from here again
        }
        regs.push(tid);
    }

    /** Releases what the session held for its execs (the F rules' interpreters). */
    public void close() {
        files.close();
        aliases.close();
    }

    /** Releases what a tracee that died held for its exec. */
    public void forget(Tracee t) {
        RewriteInFlight f = t.rewrite();
        t.rewrite(null);
        if (f != null) {
            releaseBinary(f.plan());
        }
    }

    /**
     * At the syscall-exit stop of a rewritten exec: continue, delivering a signal that arrived while we were
     * injecting, if any.
     */
    public Resume onExit(Tracee t) throws ErrnoException {
        int tid = t.tid();
        RewriteInFlight f = t.rewrite();
        t.rewrite(null);
        try {
            if (f.execEvent()) {
                Ptrace.setOptions(tid, Spawner.OPTIONS);
            }
            NewProgramFixup.Settled settled;
            try {
                settled = fixup.settle(tid, f.registersBefore(), f.plan());
            } catch (ErrnoException | RuntimeException e) {
                if (e instanceof ErrnoException x && x.isGone()) {
                    throw x;
                }
                // only a new program's touch-ups fail, and they put back what they changed: it runs untouched
                if (newProgram != null) {
                    newProgram.started(tid, f.execTid(), f.plan());
                }
                throw new RewriteFailure("the program runs without its touch-ups", e);
            }
            if (settled.result() == 0 && newProgram != null) {
                newProgram.started(tid, f.execTid(), f.plan());
            }
            int signal = settled.signal();
            if (settled.result() != 0 && f.handedIn() >= 0) {
                // the thread goes on after its failed exec: it keeps nothing of ours
                int arrived = interpreters.close(tid, f.abi(), f.handedIn());
                signal = arrived != 0 ? arrived : signal;
            }
            return Resume.delivering(signal);
        } finally {
            releaseBinary(f.plan());
        }
    }

    /**
     * At the exec event of a rewritten exec (seen for threaded processes only): the new program is loaded. A failure
     * here ends the rewrite; the program runs untouched (the loop resumes it without its exit stop).
     */
    public void onExecEvent(Tracee t) {
        RewriteInFlight f = t.rewrite();
        if (f == null) {
            return;
        }
        try {
            faults.before(RewriteStep.EXEC_EVENT);
        } catch (RuntimeException e) {
            t.rewrite(null);
            releaseBinary(f.plan());
            if (newProgram != null) {
                newProgram.started(t.tid(), f.execTid(), f.plan());
            }
            throw new RewriteFailure("the program runs without its touch-ups", e);
        }
    }

    private void releaseBinary(ExecPlan.Rewrite plan) {
        if (plan.openBinary() != null) {
            files.release(plan.openBinary());
        }
    }
}
