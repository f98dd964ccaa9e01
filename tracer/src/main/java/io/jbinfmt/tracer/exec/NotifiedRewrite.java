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
 * pointer, repoint the registers, and resume it through the restarted call's entry stop into a new
 * notification.</li>
 * <li>{@link #finish}, when that notification arrives: continue it; at the exec event and the execve's exit stop
 * touch up the new program ({@link NewProgramFixup}), or give a failed exec's program its registers back with the
 * errno; restore the signal mask; let the thread go.</li>
 * </ol>
 * Runs on the session's tracer thread; the waits here are for the one thread being rewritten.
 */
public final class NotifiedRewrite {
    /** ERESTARTNOINTR: the answer that makes the interrupted call restart, whatever its signal handlers say. */
    private static final int ERESTARTNOINTR = 513;
    private static final int OPTIONS = Ptrace.O_TRACESYSGOOD | Ptrace.O_TRACEEXEC | Ptrace.O_EXITKILL;

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
    }

    private final Arch arch;
    private final Registers regs;
    private final TraceeMemory memory;
    private final MemorySegment status;
    private final MemorySegment word;
    private final ThreadWait wait;
    private final NewProgramFixup fixup;

    /** @param deaths receives the death of the thread if it dies while we wait on it (we reaped it) */
    public NotifiedRewrite(Arch arch, Arena arena, Consumer<StopEvent> deaths) {
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
     * root before its first exec). Throws ExecFailure when the thread cannot be taken (another tracer holds it:
     * the caller answers the notification with that errno, as the kernel answers an unknown format). Returns null
     * when the exec was failed on the spot instead (E2BIG: no room for the new argv on its stack) and the thread
     * let go.
     */
    public Pending begin(SeccompNotify notify, SeccompNotify.Notification n, ExecRequest request,
                         ExecPlan.Rewrite plan, boolean ours) throws ErrnoException, ExecFailure {
        int tid = n.pid();
        if (ours) {
            Ptrace.setOptions(tid, OPTIONS);
        } else {
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
        wait.await(tid, StopEvent.Interrupted.class, Resume.CONTINUE);
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
        if (base < 0 || abi.word(base) != base || !StackMapping.holds(tid, sp, base, blockSize)) {
            // no room on its stack: fail the exec (scratch pages, as the ptrace engine maps, are not done here yet)
            regs.set(Reg.RESULT, -Errno.E2BIG.code);
            regs.push(tid);
            Ptrace.sigmask(tid, mask, word);
            Ptrace.detachOrContinue(tid, signal, ours);
            return null;
        }
        memory.write(tid, base, ArgvBlock.bytes(plan, base, size));
        // the restart takes its number from orig_rax, which this sets: an execveat restarts as an execve
        ArgvBlock.pointRegisters(regs, abi, plan, base, request.envpAddr());
        regs.push(tid);
        Ptrace.syscall(tid, 0);
        wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT); // the restarted call's entry; next,
        // seccomp hands it to the listener again
        Ptrace.syscall(tid, 0);
        return new Pending(tid, before, mask, signal, plan);
    }

    /**
     * Step 2, at the restarted call's notification {@code again}. Returns the thread's tid after the exec (its
     * process's leader's, if a non-leader thread exec'd), or -1 if it died.
     */
    public int finish(SeccompNotify notify, SeccompNotify.Notification again, Pending p, boolean keepTraced)
            throws ErrnoException {
        int tid = p.tid();
        notify.answerContinue(again.id());
        int signal = p.signal();
        try {
            // success: the exec event (on the leader's tid, if a non-leader thread exec'd), then the exit stop
            StopEvent e = wait.await(tid, x -> x instanceof StopEvent.Exec || x instanceof StopEvent.SyscallStop,
                    Resume.TO_SYSCALL_EXIT);
            if (e instanceof StopEvent.Exec x) {
                tid = x.tid();
                Ptrace.syscall(tid, 0);
                wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
            }
        } catch (ErrnoException e) {
            if (e.isGone()) {
                return -1; // died meanwhile: its death went to the loop
            }
            throw e;
        }
        int held = wait.takeHeldSignal();
        signal = held != 0 ? held : signal;
        regs.fetch(tid);
        long result = regs.get(Reg.RESULT);
        if (result != 0) {
            regs.restore(p.registersBefore()); // the program gets its registers back, and the error
            regs.set(Reg.RESULT, result);
            regs.push(tid);
        } else {
            int injecting = fixup.apply(tid, p.plan(), arch.imageAbi(regs));
            signal = injecting != 0 ? injecting : signal;
        }
        Ptrace.sigmask(tid, p.sigmask(), word);
        Ptrace.detachOrContinue(tid, signal, keepTraced);
        return tid;
    }
}
