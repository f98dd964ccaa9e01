package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.event.Resume;
import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.ThreadWait;
import io.jbinfmt.tracer.mem.StackMapping;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.process.SyscallInjector;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.SeccompNotify;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Carries out a {@link ExecPlan.Rewrite} for an exec that waits in a seccomp user notification: the notify
 * engine's only use of ptrace (docs/notify-engine.md has the measurements behind each step).
 * <ol>
 * <li>{@link #begin}: seize the thread (unless it is ours already) with PTRACE_O_TRACEEXEC, interrupt it and
 * answer the notification -ERESTARTNOINTR; at the interrupt stop (rax -513) block all its signals (no handler
 * may run on its stack before the exec, nor turn it into EINTR), write the new path and argv below its stack
 * pointer (or, where its stack's mapping has no room, into pages an injected mmap gives it, then restart the call
 * by hand), repoint the registers, and resume it through the restarted call's entry stop into a new
 * notification.</li>
 * <li>{@link #finish}, when that notification arrives: continue it; at the exec event and the execve's exit stop
 * touch up the new program ({@link NewProgramFixup}), or give a failed exec's program its registers back with the
 * errno; restore the signal mask; let the thread go.</li>
 * </ol>
 * Runs on the session's tracer thread; the waits here are for the one thread being rewritten (for any tracee of
 * the tracer thread while its exec runs: a non-leader thread's tid changes on the way).
 */
public final class NotifiedRewrite {
    /** ERESTARTNOINTR: the answer that makes the interrupted call restart, whatever its signal handlers say. */
    private static final int ERESTARTNOINTR = 513;
    /** As the root's: the exec event, and the tracee dies with us. */
    private static final int OPTIONS = io.jbinfmt.tracer.process.Spawner.NOTIFY_ROOT_OPTIONS;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;

    /**
     * A rewrite between {@link #begin} and {@link #finish}.
     *
     * @param tid             the thread (its tid may change at the exec, if it is not its process's leader)
     * @param registersBefore its registers at the interrupt stop, given back if the exec fails
     * @param sigmask         its blocked signals before we blocked them all
     * @param signal          a signal that stopped it meanwhile, delivered when it is let go (0: none)
     * @param plan            what was written
     */
    public record Pending(int tid, byte[] registersBefore, long sigmask, int signal, ExecPlan.Rewrite plan) {
        /** The same, with {@code s} to deliver when let go (a signal that stopped it while its exec waited). */
        public Pending holding(int s) {
            return new Pending(tid, registersBefore, sigmask, s, plan);
        }
    }

    /**
     * How a rewritten exec ended.
     *
     * @param tid    the thread's tid after it (its process's leader's, if a non-leader thread exec'd); -1: it died
     * @param result the exec's result: 0, or -errno
     */
    public record Finished(int tid, long result) {
    }

    private final Arch arch;
    private final Registers regs;
    private final TraceeMemory memory;
    private final MemorySegment status;
    private final MemorySegment word;
    private final ThreadWait wait;
    private final NewProgramFixup fixup;
    /** A signal that stopped the exec'ing thread while we waited for any tracee, held back until it is let go. */
    private int heldSignal;

    private final Consumer<StopEvent> deaths;
    private final Consumer<StopEvent> others;

    /**
     * @param deaths receives the death of a thread if it dies while we wait on it (we reaped it)
     * @param others restarts a stop of another tracee met while waiting for any (a non-leader thread's exec)
     */
    public NotifiedRewrite(Arch arch, Arena arena, Consumer<StopEvent> deaths, Consumer<StopEvent> others) {
        this.deaths = deaths;
        this.others = others;
        this.arch = arch;
        this.regs = new Registers(arch, arena);
        this.memory = new TraceeMemory(arena);
        this.status = arena.allocate(4);
        this.word = arena.allocate(8);
        this.wait = new ThreadWait(status, deaths);
        this.fixup = new NewProgramFixup(arch, regs, memory, status, ProcessCalls.getpid(), deaths);
    }

    /**
     * Step 1 for notification {@code n} of {@code request}. {@code ours}: the thread is already our tracee (the
     * root before its first exec, resumed with PTRACE_SYSCALL). Throws ExecFailure when the thread cannot be taken
     * (another tracer holds it: the caller answers the notification with that errno, as the kernel answers an
     * unknown format). Returns null when the exec was failed on the spot instead (E2BIG: no pages for the new argv)
     * and the thread let go (the root: left stopped).
     */
    public Pending begin(SeccompNotify notify, SeccompNotify.Notification n, ExecRequest request,
                         ExecPlan.Rewrite plan, boolean ours) throws ErrnoException, ExecFailure {
        int tid = n.pid();
        if (!ours) { // the root was seized with these options (Spawner.NOTIFY_ROOT_OPTIONS)
            try {
                Ptrace.seize(tid, OPTIONS);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EPERM.code) {
                    throw new ExecFailure(Errno.ENOEXEC.code, "thread " + tid + " is traced by another tracer");
                }
                throw e;
            }
        }
        Ptrace.interrupt(tid);
        notify.answerError(n.id(), ERESTARTNOINTR); // false if it was killed meanwhile: the wait below tells
        // The interrupt stop, where rax is -513 and the kernel restarts the call once resumed. For the root, under
        // PTRACE_SYSCALL, the exit stop of the answered call comes first and takes the interrupt's place (any trap
        // clears a pending interrupt); no signal work follows it, so the restart is ours to do.
        StopEvent stop = wait.await(tid, x -> x instanceof StopEvent.Interrupted
                || (ours && x instanceof StopEvent.SyscallStop), Resume.CONTINUE);
        int signal = wait.takeHeldSignal(); // delivered when we let it go
        regs.fetch(tid);
        byte[] before = regs.snapshot();
        long mask = Ptrace.sigmask(tid, word);
        Ptrace.sigmask(tid, -1L, word);
        if (!plan.env().isEmpty()) {
            plan = ExecInterceptor.withEnvironment(memory, request, plan);
        }
        ExecAbi abi = request.abi();
        int size = abi.wordSize();
        long sp = regs.get(Reg.SP);
        int blockSize = ArgvBlock.size(plan, size);
        long base = (sp - arch.redZone() - blockSize) & ~15L;
        // the thread's own syscall instruction (for an i386 call through the vDSO, its int $0x80 fallback)
        long syscallPc = regs.get(Reg.PC) - abi.calls().instruction().length;
        boolean onStack = base >= 0 && abi.word(base) == base && StackMapping.holds(tid, sp, base, blockSize);
        if (!onStack) {
            // Past the stack's mapping (a posix_spawn child's small stack, a huge argv): pages of its own, mapped by
            // an mmap run on its syscall instruction.
            SyscallInjector inject = new SyscallInjector(arch, abi, tid, regs, syscallPc, status, deaths);
            long mapped = inject.call(abi.calls().mmap(), 0, (blockSize + 4095L) & ~4095L, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0);
            signal = inject.pendingSignal() != 0 ? inject.pendingSignal() : signal;
            regs.restore(before);
            if (arch.isError(mapped) || abi.word(mapped) != mapped) {
                regs.set(Reg.RESULT, -Errno.E2BIG.code); // the kernel's answer to an argv it cannot fit
                regs.set(Reg.SYSNUM, -1);
                regs.push(tid);
                Ptrace.sigmask(tid, mask, word);
                if (!ours) {
                    Ptrace.detach(tid, signal);
                } // the root is left stopped: its command cannot start
                return null;
            }
            base = mapped;
        }
        memory.write(tid, base, ArgvBlock.bytes(plan, base, size));
        // the restart takes its number from orig_rax, which this sets: an execveat restarts as an execve
        ArgvBlock.pointRegisters(regs, abi, plan, base, request.envpAddr());
        if (!onStack || stop instanceof StopEvent.SyscallStop) {
            // the injected mmap consumed the kernel's pending restart, or there was none: restart by hand, on the
            // syscall instruction
            regs.set(Reg.RESULT, regs.get(Reg.SYSNUM));
            regs.set(Reg.SYSNUM, -1);
            regs.set(Reg.PC, syscallPc);
        }
        regs.push(tid);
        Ptrace.syscall(tid, 0);
        wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT); // the restarted call's entry; next,
        // seccomp hands it to the listener again
        Ptrace.syscall(tid, 0);
        return new Pending(tid, before, mask, signal, plan);
    }

    /**
     * Step 2, at the restarted call's notification {@code again}. The thread is let go afterwards, except the root
     * ({@code root}) whose exec failed: it is left stopped, for the caller to end (the command could not start).
     */
    public Finished finish(SeccompNotify notify, SeccompNotify.Notification again, Pending p, boolean root)
            throws ErrnoException {
        int tid = p.tid();
        notify.answerContinue(again.id());
        int signal = p.signal();
        try {
            // success: the exec event (on the leader's tid, if a non-leader thread exec'd), then the exit stop
            StopEvent e = awaitExecOrExit(tid);
            if (e instanceof StopEvent.Exec x) {
                tid = x.tid();
                Ptrace.syscall(tid, 0);
                wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
            }
        } catch (ErrnoException e) {
            if (e.isGone()) {
                return new Finished(-1, 0); // died meanwhile: its death went to the loop
            }
            throw e;
        }
        int held = wait.takeHeldSignal();
        held = held != 0 ? held : heldSignal;
        heldSignal = 0;
        signal = held != 0 ? held : signal;
        NewProgramFixup.Settled settled = fixup.settle(tid, p.registersBefore(), p.plan());
        if (settled.result() != 0 && root) {
            return new Finished(tid, settled.result());
        }
        signal = settled.signal() != 0 ? settled.signal() : signal;
        Ptrace.sigmask(tid, p.sigmask(), word);
        Ptrace.detach(tid, signal);
        return new Finished(tid, settled.result());
    }

    /**
     * The exec event or the exit stop of {@code tid}'s exec. A non-leader thread that exec's takes its leader's
     * tid before its exec event, so a wait for its old tid would never end: wait for any tracee of this thread. The
     * only other tracees are threads whose rewrite waits in its notification (they cannot exec) and the root
     * before its own exec (this one, or one of those): an exec event seen now is this thread's.
     */
    private StopEvent awaitExecOrExit(int tid) throws ErrnoException {
        return wait.awaitAny(x -> x instanceof StopEvent.Exec || (x.tid() == tid && x instanceof StopEvent.SyscallStop),
                x -> {
                    if (x.tid() == tid) {
                        restartQuietly(x); // ours, but not yet the stop we want: on to it
                    } else {
                        others.accept(x);
                    }
                });
    }

    private void restartQuietly(StopEvent x) {
        try {
            if (x instanceof StopEvent.Signal s) {
                heldSignal = s.signal();
            }
            Ptrace.syscall(x.tid(), 0);
        } catch (ErrnoException ignored) {
            // gone: its death comes next
        }
    }
}
