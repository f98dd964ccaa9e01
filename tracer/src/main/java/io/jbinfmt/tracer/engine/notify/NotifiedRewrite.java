package io.jbinfmt.tracer.engine.notify;

import io.jbinfmt.tracer.rewrite.RewriteStarted;
import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.rewrite.ArgvBlock;
import io.jbinfmt.tracer.rewrite.ArgvPlacement;
import io.jbinfmt.tracer.rewrite.InterpreterHandoff;
import io.jbinfmt.tracer.rewrite.NewProgramFixup;
import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rewrite.RewriteStep;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.ptrace.Resume;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.ptrace.ThreadWait;
import io.jbinfmt.tracer.ptrace.WaitStatusDecoder;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.ptrace.SyscallInjector;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.SeccompNotify;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Carries out a {@link ExecPlan.Rewrite} for an exec that waits in a seccomp user notification: the notify
 * engine's only use of ptrace (docs/notify-engine.md has the measurements behind each step). Seize the thread
 * (unless it is ours already) with PTRACE_O_TRACEEXEC, interrupt it and answer the notification -ERESTARTNOINTR;
 * at the interrupt stop (rax -513) block all its signals (no handler may run on its stack before the exec, nor
 * turn it into EINTR), write the new path and argv below its stack pointer (or, where its stack's mapping has no
 * room, into pages an injected mmap gives it, then restart the call by hand), repoint the registers, put the
 * filter's pass cookie in the sixth argument (so the restarted execve is not notified again), and step it over the
 * call (or, for the root and a process that ignores SIGTRAP, run it under PTRACE_SYSCALL, through its entry stop):
 * an execve of the new path, or, for an F rule's interpreter that the thread's root does not show (a chroot), an
 * execveat(fd, "", AT_EMPTY_PATH) of our held descriptor of it, put in the thread (close-on-exec) with
 * SECCOMP_IOCTL_NOTIF_ADDFD while the notification still waits, as the kernel runs the file it opened at
 * registration;
 * its exec event, then (where {@link NewProgramFixup} must run calls in the new program) its exit stop; or, if it
 * failed, the step's trap (or its exit stop), where the program gets its registers back with the errno. Then
 * restore the signal mask and let it go.
 * <p>
 * Runs on the session's tracer thread, start to end: the waits here are for the one thread being rewritten (for
 * any tracee of the tracer thread while its exec runs: a non-leader thread's tid changes on the way, and no other
 * tracee can stop then).
 */
public final class NotifiedRewrite {
    /** ERESTARTNOINTR: the answer that makes the interrupted call restart, whatever its signal handlers say. */
    private static final int ERESTARTNOINTR = 513;
    /** As the root's: the exec event, and the tracee dies with us. */
    private static final int OPTIONS = io.jbinfmt.tracer.spawn.Spawner.NOTIFY_ROOT_OPTIONS;

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
    private final InterpreterHandoff interpreters;
    private final long passCookie;
    /** A signal that stopped the exec'ing thread while we waited for any tracee, held back until it is let go. */
    private int heldSignal;
    /** The tid of the thread being rewritten, as it is now (it changes when a non-leader thread's exec is done). */
    private int held;

    private final Consumer<StopEvent> deaths;
    private final RewriteStarted newProgram;
    private final RewriteFaults faults;
    /** The tid that made the exec being rewritten. */
    private int execTid;
    /** Whether the rewrite steps over the restarted call (see {@link #run}). */
    private boolean mayStep;
    /** The thread is being stepped over its restarted call: a failure ends in the step's trap, not an exit stop. */
    private boolean stepping;
    private final MemorySegment siginfo;
    /** The number our held F interpreter got in the thread (closed again unless the exec succeeds), or -1. */
    private int handedIn = -1;
    /** The ABI of the exec that got {@link #handedIn}: how the thread is made to close it. */
    private ExecAbi handedInAbi;

    /**
     * @param passCookie the filter's {@link io.jbinfmt.tracer.seccomp.ExecFilter#passCookie()}
     * @param deaths     receives the death of a thread if it dies while we wait on it (we reaped it)
     * @param newProgram told of each rewritten exec that succeeded, before its process is let go (null: none)
     * @param reachesOurProc whether a tracee finds our descriptors at /proc/OURPID/fd (see {@link TraceeFiles})
     * @param faults     called before each step (tests inject failures there)
     */
    public NotifiedRewrite(Arch arch, long passCookie, Arena arena, Consumer<StopEvent> deaths,
                           RewriteStarted newProgram, IntPredicate reachesOurProc, RewriteFaults faults) {
        this.faults = faults;
        this.deaths = deaths;
        this.newProgram = newProgram;
        this.passCookie = passCookie;
        this.arch = arch;
        this.regs = new Registers(arch, arena);
        this.memory = new TraceeMemory(arena);
        this.status = arena.allocate(4);
        this.word = arena.allocate(8);
        this.siginfo = arena.allocate(Ptrace.SIGINFO_SIZE);
        this.wait = new ThreadWait(status, deaths);
        this.fixup = new NewProgramFixup(arch, regs, memory, status, ProcessCalls.getpid(), deaths, reachesOurProc,
                faults);
        this.interpreters = new InterpreterHandoff(arch, regs, memory, status, deaths);
    }

    /**
     * Rewrites the exec of notification {@code n} of {@code request}. {@code ours}: the thread is already our
     * tracee (the root before its first exec, resumed with PTRACE_SYSCALL). Throws ExecFailure when the thread
     * cannot be taken (another tracer holds it: the caller answers the notification with that errno, as the kernel
     * answers an unknown format). Returns how the exec ended; the thread has been let go, except the root
     * ({@code ours}) when its exec failed: it is left stopped, for the caller to end (the command could not start).
     * {@code mayStep}: the thread's process is known not to ignore SIGTRAP, so the restarted call may be stepped
     * over (its failure then ends in a trap the kernel forces, which would reset an ignored SIGTRAP to its
     * default): one stop less than running it under PTRACE_SYSCALL, whose entry stop we have no use for.
     * {@code heldInterpreter}: our descriptor of the F interpreter the plan runs, to hand in and exec by descriptor
     * ({@link TraceeFiles#heldInterpreter}), or -1: exec the plan's path. {@code blocked}: the thread's signal
     * mask as read for the decision ({@link TraceeFiles#blockedSignals}; it cannot change while the notification
     * waits), or all ones: read it with ptrace.
     * <p>
     * A failure of ours at any step ({@link #recover}) never leaves the thread stopped: before the point of no
     * return the exec fails with the failed call's errno (ENOEXEC for a bug of ours), after it the new program
     * runs untouched; the failure is then thrown as a {@link RewriteFailed} for the loop to log.
     */
    public Finished run(SeccompNotify notify, SeccompNotify.Notification n, ExecRequest request,
                        ExecPlan.Rewrite plan, boolean ours, boolean mayStep, int heldInterpreter, long blocked)
            throws ErrnoException, ExecFailure {
        held = n.pid();
        handedIn = -1;
        this.mayStep = mayStep && !ours; // the root runs under PTRACE_SYSCALL for its own exit stop
        stepping = false;
        execTid = held;
        progress = Progress.NONE;
        before = null;
        mask = NO_MASK;
        try {
            try {
                return rewrite(notify, n, request, plan, ours, heldInterpreter, blocked);
            } catch (ErrnoException | RuntimeException e) {
                if (e instanceof ErrnoException x && x.isGone()) {
                    throw x;
                }
                Finished f;
                try {
                    f = recover(notify, n, ours, plan, e);
                } catch (ErrnoException r) {
                    if (!r.isGone()) {
                        throw r;
                    }
                    reapDead(held); // it died while we cleaned up (a failed exec's program may exit at once)
                    f = new Finished(-1, 0);
                }
                throw new RewriteFailed(f, e);
            }
        } catch (ErrnoException e) {
            if (!e.isGone()) {
                throw e;
            }
            reapDead(held);
            return new Finished(-1, 0);
        }
    }

    /** A rewrite that failed at some step and was cleaned up: how the exec ended, and why. */
    public static final class RewriteFailed extends RuntimeException {
        private final transient Finished finished;

        RewriteFailed(Finished finished, Exception cause) {
            super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
            this.finished = finished;
        }

        /** How the exec ended after the clean-up (result -errno, or 0 when the new program runs untouched). */
        public Finished finished() {
            return finished;
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
            if (e.ended()) {
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

    /** How far a rewrite has got: what {@link #recover} must undo. */
    private enum Progress {
        /** Nothing done to the thread; the notification waits. */
        NONE,
        /** Seized (or ours), perhaps interrupted; the notification still waits. */
        SEIZED,
        /** Answered -ERESTARTNOINTR; the interrupt stop may not have been seen yet. */
        ANSWERED,
        /** Stopped before its exec (interrupt stop, or the restarted call's entry): registers may be changed. */
        STOPPED,
        /** Running its rewritten exec. */
        RUNNING,
        /** At the exec event or exit stop of a successful exec: the new program. */
        EXECED
    }

    private static final long NO_MASK = Long.MIN_VALUE;
    private Progress progress;
    /** The registers at the interrupt stop (null until then). */
    private byte[] before;
    /** The thread's own signal mask, while ours blocks all of its signals (NO_MASK: not changed). */
    private long mask;

    private Finished rewrite(SeccompNotify notify, SeccompNotify.Notification n, ExecRequest request,
                             ExecPlan.Rewrite plan, boolean ours, int heldInterpreter, long blocked)
            throws ErrnoException, ExecFailure {
        int tid = n.pid();
        if (!ours) { // the root was seized with these options (Spawner.NOTIFY_ROOT_OPTIONS)
            faults.before(RewriteStep.SEIZE);
            try {
                Ptrace.seize(tid, OPTIONS);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EPERM.code) {
                    throw new ExecFailure(Errno.ENOEXEC.code, "thread " + tid + " is traced by another tracer");
                }
                throw e;
            }
        }
        progress = Progress.SEIZED;
        if (heldInterpreter >= 0) {
            // only while the notification waits can the kernel put a descriptor of ours in the thread; it closes on
            // the exec, so the new program never sees it, whatever its number
            handedInAbi = request.abi();
            handedIn = notify.addFd(n.id(), heldInterpreter, FileCalls.O_CLOEXEC);
            plan = plan.execdAs(new byte[0], plan.comm()); // the same file, named by the descriptor alone
        }
        faults.before(RewriteStep.INTERRUPT);
        Ptrace.interrupt(tid);
        faults.before(RewriteStep.ANSWER);
        notify.answerError(n.id(), ERESTARTNOINTR); // false if it was killed meanwhile: the wait below tells
        progress = Progress.ANSWERED;
        // The interrupt stop, where rax is -513 and the kernel restarts the call once resumed. For the root, under
        // PTRACE_SYSCALL, the exit stop of the answered call comes first and takes the interrupt's place (any trap
        // clears a pending interrupt); no signal work follows it, so the restart is ours to do.
        // a death from here on (a SIGKILL makes every ptrace call fail with ESRCH) ends in run's reapDead
        StopEvent stop = wait.await(tid, x -> x instanceof StopEvent.Interrupted
                || (ours && x instanceof StopEvent.SyscallStop), Resume.CONTINUE);
        progress = Progress.STOPPED;
        int signal = wait.takeHeldSignal(); // delivered when we let it go
        regs.fetch(tid);
        before = regs.snapshot();
        long own = blocked != -1 ? blocked : Ptrace.sigmask(tid, word); // -1: SIGKILL blocked, never a real mask
        // SIGTRAP stays unblocked for a step: the kernel would unblock it, and reset its handler, to force the trap
        Ptrace.sigmask(tid, mayStep ? ~(1L << (Signals.SIGTRAP - 1)) : -1L, word);
        mask = own;
        plan = ArgvPlacement.withEnvironment(memory, request, plan);
        ExecAbi abi = request.abi();
        int size = abi.wordSize();
        int blockSize = ArgvBlock.size(plan, size);
        long base = ArgvPlacement.belowStack(arch, abi, tid, regs.get(Reg.SP), blockSize);
        // the thread's own syscall instruction (for an i386 call through the vDSO, its int $0x80 fallback)
        long syscallPc = regs.get(Reg.PC) - abi.calls().instruction().length;
        boolean onStack = base >= 0;
        if (!onStack) {
            // Past the stack's mapping (a posix_spawn child's small stack, a huge argv): pages of its own, mapped by
            // an mmap run on its syscall instruction.
            SyscallInjector inject = new SyscallInjector(arch, abi, tid, regs, syscallPc, status, deaths);
            long mapped = inject.call(abi.calls().mmap(), 0, ArgvPlacement.pagesFor(blockSize),
                    ArgvPlacement.PROT_READ_WRITE, ArgvPlacement.MAP_PRIVATE_ANONYMOUS, -1, 0);
            signal = inject.pendingSignal() != 0 ? inject.pendingSignal() : signal;
            if (arch.isError(mapped) || abi.word(mapped) != mapped) {
                // the kernel's answer to an argv it cannot fit
                return failBeforeExec(tid, Errno.E2BIG.code, signal, ours);
            }
            regs.restore(before);
            base = mapped;
        }
        faults.before(RewriteStep.ARGV_WRITE);
        memory.write(tid, base, ArgvBlock.bytes(plan, base, size));
        // the restart takes its number from orig_rax, which this sets: an execveat restarts as an execve, and an
        // exec of a handed-in interpreter as an execveat
        if (handedIn >= 0) {
            ArgvBlock.pointRegistersAtDescriptor(regs, abi, plan, base, request.envpAddr(), handedIn);
        } else {
            ArgvBlock.pointRegisters(regs, abi, plan, base, request.envpAddr());
        }
        regs.setArg(abi, 6, abi.word(passCookie)); // the filter lets the restarted call through
        if (!onStack || stop instanceof StopEvent.SyscallStop) {
            // the injected mmap consumed the kernel's pending restart, or there was none: restart by hand, on the
            // syscall instruction
            regs.set(Reg.RESULT, regs.get(Reg.SYSNUM));
            regs.set(Reg.SYSNUM, -1);
            regs.set(Reg.PC, syscallPc);
        }
        regs.push(tid);
        faults.before(RewriteStep.RESTART);
        if (mayStep) {
            // one step over the restarted call: its exec event if it succeeds, else the step's trap right after it
            Ptrace.singlestep(tid, 0);
            stepping = true;
        } else {
            Ptrace.syscall(tid, 0);
            wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT); // the restarted call's entry
            Ptrace.syscall(tid, 0);
        }
        progress = Progress.RUNNING;
        return settle(tid, before, signal, plan, ours);
    }

    /**
     * Ends the exec before it runs: at a stop before it (registers as they were, the call skipped with
     * {@code -errno}, the signal mask given back), then lets the thread go, or leaves the root stopped.
     */
    private Finished failBeforeExec(int tid, int errno, int signal, boolean root) throws ErrnoException {
        regs.restore(before);
        regs.set(Reg.RESULT, -errno);
        regs.set(Reg.SYSNUM, -1);
        regs.push(tid);
        signal = closeHandedIn(tid, signal);
        restoreMask(tid);
        if (!root) {
            Ptrace.detach(tid, signal);
        } // the root is left stopped: its command cannot start
        return new Finished(tid, -errno);
    }

    /**
     * Closes the interpreter handed into {@code tid} (its exec did not run, or failed: the descriptor would stay in
     * the program, which goes on), at a stop right after its syscall instruction. Returns a signal that arrived
     * meanwhile, else {@code signal}.
     */
    private int closeHandedIn(int tid, int signal) throws ErrnoException {
        if (handedIn < 0) {
            return signal;
        }
        int fd = handedIn;
        handedIn = -1;
        int arrived = interpreters.close(tid, handedInAbi, fd);
        return arrived != 0 ? arrived : signal;
    }

    private void restoreMask(int tid) throws ErrnoException {
        if (mask != NO_MASK) {
            Ptrace.sigmask(tid, mask, word);
            mask = NO_MASK;
        }
    }

    /** From the restarted exec's entry: its exec event and exit stop, or its failure; then let it go. */
    private Finished settle(int tid, byte[] before, int signal, ExecPlan.Rewrite plan, boolean root)
            throws ErrnoException {
        // success: the exec event (on the leader's tid, if a non-leader thread exec'd), then the exit stop
        StopEvent e = awaitExecOrExit(tid);
        boolean done = false;
        stepping = false; // from here on PTRACE_SYSCALL or a detach, which both end the stepping
        if (e instanceof StopEvent.Exec x) {
            tid = x.tid();
            held = tid; // a non-leader thread has its leader's tid now
            progress = Progress.EXECED;
            if (newProgram != null) {
                newProgram.started(tid, execTid, plan); // the exec has succeeded, whatever befalls the fixup
            }
            faults.before(RewriteStep.EXEC_EVENT);
            done = fixup.applyAtExecEvent(tid, plan); // then no exit stop is needed
            if (!done) {
                Ptrace.syscall(tid, 0);
                wait.await(tid, StopEvent.SyscallStop.class, Resume.TO_SYSCALL_EXIT);
            }
        }
        signal = heldOr(signal);
        if (done) {
            restoreMask(tid);
            faults.before(RewriteStep.DETACH);
            Ptrace.detach(tid, signal);
            return new Finished(tid, 0);
        }
        NewProgramFixup.Settled settled = fixup.settle(tid, before, plan);
        if (settled.result() != 0) {
            signal = closeHandedIn(tid, signal);
        }
        if (settled.result() != 0 && root) {
            return new Finished(tid, settled.result());
        }
        signal = settled.signal() != 0 ? settled.signal() : signal;
        restoreMask(tid);
        faults.before(RewriteStep.DETACH);
        Ptrace.detach(tid, signal);
        return new Finished(tid, settled.result());
    }

    /** A signal held back while we drove the thread, else {@code signal}. */
    private int heldOr(int signal) {
        int h = wait.takeHeldSignal();
        h = h != 0 ? h : heldSignal;
        heldSignal = 0;
        return h != 0 ? h : signal;
    }

    /**
     * Undoes a rewrite that failed with {@code cause} (not the thread's death), whatever step it had reached, so
     * that no thread is left stopped: before its exec runs, the exec fails with {@code cause}'s errno (a bug of ours:
     * ENOEXEC, as for a format nobody runs); once the new program is loaded, it runs as the kernel left it. Every
     * step here may meet the thread's death, which run() handles.
     */
    private Finished recover(SeccompNotify notify, SeccompNotify.Notification n, boolean root, ExecPlan.Rewrite plan,
                             Exception cause) throws ErrnoException {
        int errno = cause instanceof ErrnoException x ? x.errno() : Errno.ENOEXEC.code;
        int tid = held;
        switch (progress) {
            case NONE -> {
                notify.answerError(n.id(), errno);
                return new Finished(tid, -errno);
            }
            case SEIZED -> {
                if (!root) {
                    // interrupted before the answer (again, if it was already), it stops right as it returns from
                    // the call, on its syscall instruction, where a handed-in interpreter can be closed; interrupted
                    // after it, it would stop wherever it had got to
                    Ptrace.interrupt(tid);
                }
                notify.answerError(n.id(), errno); // it returns -errno
                if (root) {
                    // ours, under PTRACE_SYSCALL: the answered call's exit stop; left there for the caller
                    wait.await(tid, x -> x instanceof StopEvent.SyscallStop || x instanceof StopEvent.Interrupted,
                            Resume.CONTINUE);
                    return new Finished(tid, -errno);
                }
                wait.await(tid, StopEvent.Interrupted.class, Resume.CONTINUE);
                Ptrace.detach(tid, closeHandedIn(tid, heldOr(0)));
                return new Finished(tid, -errno);
            }
            case ANSWERED -> {
                wait.await(tid, x -> x instanceof StopEvent.Interrupted
                        || (root && x instanceof StopEvent.SyscallStop), Resume.CONTINUE);
                regs.fetch(tid);
                before = regs.snapshot();
                return failBeforeExec(tid, errno, heldOr(0), root);
            }
            case STOPPED -> {
                return failBeforeExec(tid, errno, heldOr(0), root);
            }
            case RUNNING -> {
                // the exec runs: its exec event (then as below) or its failure's exit stop
                StopEvent e = awaitExecOrExit(tid);
                stepping = false;
                if (!(e instanceof StopEvent.Exec x)) {
                    regs.fetch(tid);
                    long result = regs.get(Reg.RESULT);
                    regs.restore(before);
                    regs.set(Reg.RESULT, result);
                    regs.push(tid);
                    int signal = closeHandedIn(tid, heldOr(0));
                    restoreMask(tid);
                    if (!root) {
                        Ptrace.detach(tid, signal);
                    }
                    return new Finished(tid, result);
                }
                tid = x.tid();
                held = tid;
                if (newProgram != null) {
                    newProgram.started(tid, execTid, plan);
                }
                restoreMask(tid);
                Ptrace.detach(tid, heldOr(0));
                return new Finished(tid, 0);
            }
            case EXECED -> {
                // the fixup put back what it changed; the program starts as the kernel left it
                restoreMask(tid);
                Ptrace.detach(tid, heldOr(0));
                return new Finished(tid, 0);
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * The exec event or the exit stop of {@code tid}'s exec (when stepped over it, the step's trap in place of the
     * exit stop). A non-leader thread that exec's takes its leader's tid before its exec event, so a wait for its
     * old tid would never end: wait for any tracee of this thread. The only other tracee could be the root before
     * its own exec, and while it has not exec'd it is alone in its tree: an exec event seen now is this thread's.
     */
    private StopEvent awaitExecOrExit(int tid) throws ErrnoException {
        return wait.awaitAny(tid, x -> x instanceof StopEvent.Exec || (x.tid() == tid
                        && (x instanceof StopEvent.SyscallStop || stepping && isStepTrap(x))),
                this::restartQuietly); // ours, but not yet the stop we want: on to it
    }

    /**
     * Whether {@code x} is the trap that ends a step: a SIGTRAP the kernel sent (one some process sent has an
     * si_code of 0 or below, and is held back like any other signal).
     */
    private boolean isStepTrap(StopEvent x) {
        if (!(x instanceof StopEvent.Signal s) || s.signal() != Signals.SIGTRAP) {
            return false;
        }
        try {
            return Ptrace.signalCode(x.tid(), siginfo) > 0;
        } catch (ErrnoException e) {
            return false; // gone: its death comes next
        }
    }

    private void restartQuietly(StopEvent x) {
        try {
            if (x instanceof StopEvent.Signal s) {
                heldSignal = s.signal();
            }
            if (stepping && x.tid() == held) {
                Ptrace.singlestep(x.tid(), 0); // a signal stopped it before its syscall instruction: on with the step
            } else {
                Ptrace.syscall(x.tid(), 0);
            }
        } catch (ErrnoException ignored) {
            // gone: its death comes next
        }
    }
}
