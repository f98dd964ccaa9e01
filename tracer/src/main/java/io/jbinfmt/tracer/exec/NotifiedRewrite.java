package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.arch.Registers;
import io.jbinfmt.tracer.event.Resume;
import io.jbinfmt.tracer.event.StopEvent;
import io.jbinfmt.tracer.event.ThreadWait;
import io.jbinfmt.tracer.event.WaitStatusDecoder;
import io.jbinfmt.tracer.mem.StackMapping;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.process.SyscallInjector;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.SeccompNotify;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;

/**
 * Carries out a {@link ExecPlan.Rewrite} for an exec that waits in a seccomp user notification: the notify
 * engine's only use of ptrace (docs/notify-engine.md has the measurements behind each step). Seize the thread
 * (unless it is ours already) with PTRACE_O_TRACEEXEC, interrupt it and answer the notification -ERESTARTNOINTR;
 * at the interrupt stop (rax -513) block all its signals (no handler may run on its stack before the exec, nor
 * turn it into EINTR), write the new path and argv below its stack pointer (or, where its stack's mapping has no
 * room, into pages an injected mmap gives it, then restart the call by hand), repoint the registers, put the
 * filter's pass cookie in the sixth argument (so the restarted execve is not notified again), and run it under
 * PTRACE_SYSCALL: its exec event, then (where {@link NewProgramFixup} must run calls in the new program) its exit
 * stop; or, if it failed, its exit stop, where the program gets its registers back with the errno. Then restore
 * the signal mask and let it go.
 * <p>
 * Runs on the session's tracer thread, start to end: the waits here are for the one thread being rewritten (for
 * any tracee of the tracer thread while its exec runs: a non-leader thread's tid changes on the way, and no other
 * tracee can stop then).
 */
public final class NotifiedRewrite {
    /** ERESTARTNOINTR: the answer that makes the interrupted call restart, whatever its signal handlers say. */
    private static final int ERESTARTNOINTR = 513;
    /** As the root's: the exec event, and the tracee dies with us. */
    private static final int OPTIONS = io.jbinfmt.tracer.process.Spawner.NOTIFY_ROOT_OPTIONS;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;

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
    private final long passCookie;
    /** A signal that stopped the exec'ing thread while we waited for any tracee, held back until it is let go. */
    private int heldSignal;
    /** The tid of the thread being rewritten, as it is now (it changes when a non-leader thread's exec is done). */
    private int held;

    private final Consumer<StopEvent> deaths;
    private final RewriteStarted newProgram;

    /**
     * @param passCookie the filter's {@link io.jbinfmt.tracer.seccomp.ExecFilter#passCookie()}
     * @param deaths     receives the death of a thread if it dies while we wait on it (we reaped it)
     * @param newProgram told of each rewritten exec that succeeded, before its process is let go (null: none)
     */
    public NotifiedRewrite(Arch arch, long passCookie, Arena arena, Consumer<StopEvent> deaths,
                           RewriteStarted newProgram) {
        this.deaths = deaths;
        this.newProgram = newProgram;
        this.passCookie = passCookie;
        this.arch = arch;
        this.regs = new Registers(arch, arena);
        this.memory = new TraceeMemory(arena);
        this.status = arena.allocate(4);
        this.word = arena.allocate(8);
        this.wait = new ThreadWait(status, deaths);
        this.fixup = new NewProgramFixup(arch, regs, memory, status, ProcessCalls.getpid(), deaths);
    }

    /**
     * Rewrites the exec of notification {@code n} of {@code request}. {@code ours}: the thread is already our
     * tracee (the root before its first exec, resumed with PTRACE_SYSCALL). Throws ExecFailure when the thread
     * cannot be taken (another tracer holds it: the caller answers the notification with that errno, as the kernel
     * answers an unknown format). Returns how the exec ended; the thread has been let go, except the root
     * ({@code ours}) when its exec failed: it is left stopped, for the caller to end (the command could not start).
     */
    public Finished run(SeccompNotify notify, SeccompNotify.Notification n, ExecRequest request,
                        ExecPlan.Rewrite plan, boolean ours) throws ErrnoException, ExecFailure {
        held = n.pid();
        try {
            return rewrite(notify, n, request, plan, ours);
        } catch (ErrnoException e) {
            if (!e.isGone()) {
                throw e;
            }
            reapDead(held);
            return new Finished(-1, 0);
        }
    }

    /**
     * A thread killed while we held it: reaped here, its death to the loop. Under notify nothing else waits for
     * our tracees, and a traced zombie is one its parent cannot reap until we have: left alone, its parent (a
     * shell waiting for it) would wait forever. A death some wait here consumed already leaves nothing: ECHILD.
     */
    private void reapDead(int tid) throws ErrnoException {
        try {
            int who = Wait.wait(tid, Wait.WALL, status);
            StopEvent e = WaitStatusDecoder.decode(who, Wait.status(status));
            if (e instanceof StopEvent.Exited || e instanceof StopEvent.Killed) {
                deaths.accept(e);
            } else {
                Ptrace.detach(tid, 0); // alive after all (a stop we did not expect): let it go
            }
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ECHILD.code && !e.isGone()) {
                throw e;
            }
        }
    }

    private Finished rewrite(SeccompNotify notify, SeccompNotify.Notification n, ExecRequest request,
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
        // a death from here on (a SIGKILL makes every ptrace call fail with ESRCH) ends in run's reapDead
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
                return new Finished(tid, -Errno.E2BIG.code);
            }
            base = mapped;
        }
        memory.write(tid, base, ArgvBlock.bytes(plan, base, size));
        // the restart takes its number from orig_rax, which this sets: an execveat restarts as an execve
        ArgvBlock.pointRegisters(regs, abi, plan, base, request.envpAddr());
        regs.setArg(abi, 6, abi.word(passCookie)); // the filter lets the restarted call through
        if (!onStack || stop instanceof StopEvent.SyscallStop) {
            // the injected mmap consumed the kernel's pending restart, or there was none: restart by hand, on the
            // syscall instruction
            regs.set(Reg.RESULT, regs.get(Reg.SYSNUM));
            regs.set(Reg.SYSNUM, -1);
            regs.set(Reg.PC, syscallPc);
        }
        regs.push(tid);
        Ptrace.syscall(tid, 0);
        wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT); // the restarted call's entry
        Ptrace.syscall(tid, 0);
        return settle(tid, before, mask, signal, plan, ours);
    }

    /** From the restarted exec's entry: its exec event and exit stop, or its failure; then let it go. */
    private Finished settle(int tid, byte[] before, long mask, int signal, ExecPlan.Rewrite plan, boolean root)
            throws ErrnoException {
        // success: the exec event (on the leader's tid, if a non-leader thread exec'd), then the exit stop
        int execTid = tid;
        StopEvent e = awaitExecOrExit(tid);
        boolean done = false;
        if (e instanceof StopEvent.Exec x) {
            tid = x.tid();
            held = tid; // a non-leader thread has its leader's tid now
            done = fixup.applyAtExecEvent(tid, plan); // then no exit stop is needed
            if (!done) {
                Ptrace.syscall(tid, 0);
                wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
            }
        }
        int held = wait.takeHeldSignal();
        held = held != 0 ? held : heldSignal;
        heldSignal = 0;
        signal = held != 0 ? held : signal;
        if (done) {
            Ptrace.sigmask(tid, mask, word);
            if (newProgram != null) {
                newProgram.started(tid, execTid, plan);
            }
            Ptrace.detach(tid, signal);
            return new Finished(tid, 0);
        }
        NewProgramFixup.Settled settled = fixup.settle(tid, before, plan);
        if (settled.result() != 0 && root) {
            return new Finished(tid, settled.result());
        }
        signal = settled.signal() != 0 ? settled.signal() : signal;
        Ptrace.sigmask(tid, mask, word);
        if (settled.result() == 0 && newProgram != null) {
            newProgram.started(tid, execTid, plan);
        }
        Ptrace.detach(tid, signal);
        return new Finished(tid, settled.result());
    }

    /**
     * The exec event or the exit stop of {@code tid}'s exec. A non-leader thread that exec's takes its leader's
     * tid before its exec event, so a wait for its old tid would never end: wait for any tracee of this thread. The
     * only other tracee could be the root before its own exec, and while it has not exec'd it is alone in its
     * tree: an exec event seen now is this thread's.
     */
    private StopEvent awaitExecOrExit(int tid) throws ErrnoException {
        return wait.awaitAny(tid, x -> x instanceof StopEvent.Exec || (x.tid() == tid && x instanceof StopEvent.SyscallStop),
                this::restartQuietly); // ours, but not yet the stop we want: on to it
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
