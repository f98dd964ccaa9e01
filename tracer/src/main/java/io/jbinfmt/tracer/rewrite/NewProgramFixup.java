package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.PathBytes;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.ptrace.StopEvent;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.ptrace.SyscallInjector;
import io.jbinfmt.tracer.sys.ErrnoException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/**
 * Touches up a program a rewritten exec has just started, before its first instruction, so that it sees what it
 * would have under binfmt_misc: AT_EXECFN naming the original program, AT_FLAGS_PRESERVE_ARGV0 for P rules, an
 * AT_EXECFD for O rules, and its process name. Works on 64-bit and i386 programs alike.
 */
public final class NewProgramFixup {
    private static final int PR_SET_NAME = 15;
    private static final int PR_SET_DUMPABLE = 4;
    private static final int TASK_COMM_LEN = 16;
    private static final int CLOCK_MONOTONIC = 1;

    private final Arch arch;
    private final Registers regs;
    private final TraceeMemory memory;
    private final MemorySegment status;
    private final Consumer<StopEvent> deaths;
    private final DescriptorHandoff handoff;
    private final IntPredicate reachesOurProc;
    private final RewriteFaults faults;

    /**
     * @param reachesOurProc whether a tracee may find our descriptors at /proc/OURPID/fd (our PID namespace, root
     *                       and mounts); where not, or where its credentials keep it out, they go over a socket
     */
    public NewProgramFixup(Arch arch, Registers regs, TraceeMemory memory, MemorySegment status, int selfPid,
                           Consumer<StopEvent> deaths, IntPredicate reachesOurProc, RewriteFaults faults) {
        this.faults = faults;
        this.arch = arch;
        this.regs = regs;
        this.memory = memory;
        this.status = status;
        this.deaths = deaths;
        this.handoff = new DescriptorHandoff(arch, memory, selfPid);
        this.reachesOurProc = reachesOurProc;
    }

    /**
     * How a rewritten exec ended, at its exit stop.
     *
     * @param result the exec's result: 0, or -errno
     * @param signal a signal to deliver when resuming (one that arrived while we injected), or 0
     */
    public record Settled(long result, int signal) {
    }

    /**
     * At the syscall-exit stop of a rewritten exec (registers not fetched yet): a failed exec's program gets its
     * registers from before the rewrite back, with the errno; a new program is touched up ({@link #apply}).
     */
    public Settled settle(int tid, byte[] registersBefore, ExecPlan.Rewrite plan) throws ErrnoException {
        regs.fetch(tid);
        long result = regs.get(Reg.RESULT);
        if (result != 0) {
            regs.restore(registersBefore);
            regs.set(Reg.RESULT, result);
            regs.push(tid);
            return new Settled(result, 0);
        }
        return new Settled(0, apply(tid, plan, arch.imageAbi(regs), true)); // the interpreter may be an i386 program
    }

    /**
     * At the exec event of a rewritten exec (which has succeeded, the new program set up): touches it up now if
     * that needs no call run in it (no descriptor to pass, no process name to set, the original program's name
     * fits where the kernel put the path we exec'd, or else the moved block within the stack's lowest page), and
     * returns true; else changes nothing and returns false, for {@link #settle} at the exit stop. Saves that stop.
     */
    public boolean applyAtExecEvent(int tid, ExecPlan.Rewrite plan) throws ErrnoException {
        if (plan.openBinary() != null || plan.comm() != null) {
            return false;
        }
        regs.fetch(tid);
        return apply(tid, plan, arch.imageAbi(regs), false) >= 0;
    }

    /**
     * Runs at the syscall-exit stop of a successful rewritten exec, {@code image} being the new program's ABI.
     * Its stack starts with the argc/argv/envp/auxv block; we move that block down to make room for the original
     * program's name (AT_EXECFN names it, not the interpreter) and, for O rules, an AT_EXECFD entry:
     * <pre>
     *   before:  sp -> [argc argv.. envp.. auxv..]  [strings...]
     *   after:   sp'-> [argc argv.. envp.. auxv.. AT_EXECFD]  [filename\0 pad]  [strings...]
     * </pre>
     * Returns a signal to deliver when resuming (one that arrived while we were injecting), or 0; -1 when calls
     * would be needed and {@code mayCall} is false (nothing was changed then).
     */
    int apply(int tid, ExecPlan.Rewrite plan, ExecAbi image, boolean mayCall) throws ErrnoException {
        faults.before(RewriteStep.FIXUP);
        byte[] entryRegs = regs.snapshot();
        int word = image.wordSize();
        ExecAbi.Calls calls = image.calls();
        long sp = regs.get(Reg.SP);
        long pc = regs.get(Reg.PC);
        StackBlock block = readStackBlock(tid, sp, word);
        long[] original = block.toArray(); // before any edit: what a failure puts back
        long blockEnd = sp + (long) word * block.size();
        byte[] execFn = PathBytes.cString(plan.filename());
        long execFnAt = (blockEnd - execFn.length) & ~15L;
        int newWords = block.size() + (plan.openBinary() != null ? 2 : 0);
        long newSp = (execFnAt - (long) word * newWords) & ~15L; // both ABIs want a 16-byte aligned stack at entry
        boolean growsStack = (newSp & ~4095L) < (sp & ~4095L);
        if (!mayCall) { // applyAtExecEvent: no descriptor to open, no name to set
            if (fixInPlace(tid, block, plan, sp, word)) {
                return 0;
            }
            if (growsStack) {
                return -1;
            }
            writeMovedBlock(tid, block, plan, newSp, execFnAt, execFn, word);
            regs.set(Reg.SP, newSp);
            regs.push(tid);
            return 0;
        }
        // Scratch for the strings the injected calls need: the old block at sp, which is surely mapped and which
        // we hold a copy of; the new block is written over it afterwards.
        long scratchAt = sp;
        // A syscall instruction to borrow: a 64-bit program's vDSO has one at the same offset as ours; without a
        // vDSO, or for an i386 program (its vDSO is another image), write one over the entry point for the time
        // of the injected calls.
        long vdso = block.aux(StackBlock.AT_SYSINFO_EHDR);
        long gadget = image == arch.nativeAbi() && vdso > 0 && VdsoGadget.OFFSET >= 0 ? vdso + VdsoGadget.OFFSET : -1;
        long syscallPc = gadget >= 0 ? gadget : pc;
        byte[] code = gadget >= 0 ? null : memory.read(tid, pc, calls.instruction().length);
        if (code != null) {
            memory.poke(tid, pc, calls.instruction());
        }
        SyscallInjector inject = new SyscallInjector(arch, image, tid, regs, syscallPc, status, deaths);
        try {
            // First the injected calls, with their strings in the scratch at sp...
            if (plan.openBinary() != null) {
                if ((long) word * block.size() < DescriptorHandoff.SCRATCH) {
                    throw new ErrnoException("a new program's stack block too small to pass AT_EXECFD", 14);
                }
                block.addExecFd(handoff.install(inject, image, tid, scratchAt, plan.openBinary().fd(),
                        reachesOurProc.test(tid)));
            }
            if (plan.nonDumpable()) {
                inject.call(calls.prctl(), PR_SET_DUMPABLE, 0, 0, 0, 0); // as the kernel's would_dump (suid_dumpable 0)
            }
            if (plan.comm() != null) {
                byte[] comm = plan.comm().length >= TASK_COMM_LEN
                        ? java.util.Arrays.copyOf(plan.comm(), TASK_COMM_LEN - 1) : plan.comm();
                memory.write(tid, scratchAt, PathBytes.cString(comm));
                inject.call(calls.prctl(), PR_SET_NAME, scratchAt, 0, 0, 0);
            }
            if (growsStack) {
                // The moved block reaches into the page below: the stack may not be mapped there yet, and only
                // the program itself can grow it. Have it write there (clock_gettime) so the kernel does.
                long touched = inject.call(calls.clockGettime(), CLOCK_MONOTONIC, newSp);
                if (arch.isError(touched)) {
                    throw new ErrnoException("growing the new program's stack", (int) -touched);
                }
            }
            // ...then the moved block, over the scratch.
            writeMovedBlock(tid, block, plan, newSp, execFnAt, execFn, word);
            regs.restore(entryRegs);
            regs.set(Reg.SP, newSp);
        } catch (ErrnoException | RuntimeException e) {
            if (!(e instanceof ErrnoException x && x.isGone())) {
                // the program starts as the kernel left it: its block (which the scratch overwrote) and registers
                writeWords(tid, sp, original, word);
                regs.restore(entryRegs);
                regs.push(tid);
            }
            throw e;
        } finally {
            if (code != null) {
                memory.poke(tid, pc, code);
            }
        }
        regs.push(tid);
        return inject.pendingSignal();
    }

    /**
     * Where the original program's name fits in the kernel's copy of the path we exec'd (the string AT_EXECFN
     * points at, at the top of the stack): writes it over that copy, zero-filled to the copy's end, and sets
     * AT_FLAGS_PRESERVE_ARGV0 in place for a P rule; nothing moves, so the registers stay as the kernel set them.
     * Returns false, having written nothing, where the name is longer. The usual case: the alias a rewrite execs
     * by ({@link InterpreterAliases}) is a longer path than the program's.
     */
    private boolean fixInPlace(int tid, StackBlock block, ExecPlan.Rewrite plan, long sp, int word)
            throws ErrnoException {
        long execFnAt = block.aux(StackBlock.AT_EXECFN);
        int flagsAt = block.auxValueIndex(StackBlock.AT_FLAGS);
        int slot = plan.path().length + 1; // the exec'd path, as the kernel copied it, NUL included
        if (execFnAt <= 0 || plan.filename().length + 1 > slot || plan.preserveArgv0() && flagsAt < 0) {
            return false;
        }
        if (plan.preserveArgv0()) {
            writeWords(tid, sp + (long) word * flagsAt,
                    new long[] {block.word(flagsAt) | StackBlock.AT_FLAGS_PRESERVE_ARGV0}, word);
        }
        memory.write(tid, execFnAt, java.util.Arrays.copyOf(plan.filename(), slot));
        return true;
    }

    /** Writes the block with the plan's auxv changes at {@code newSp}, and the original program's name after it. */
    private void writeMovedBlock(int tid, StackBlock block, ExecPlan.Rewrite plan, long newSp, long execFnAt,
                                 byte[] execFn, int word) throws ErrnoException {
        if (plan.preserveArgv0()) {
            block.setPreserveArgv0();
        }
        block.setExecFn(execFnAt);
        writeWords(tid, newSp, block.toArray(), word);
        memory.write(tid, execFnAt, execFn);
    }

    /** Reads the argc/argv/envp/auxv block from {@code sp}, a page at a time: the stack ends soon after it. */
    private StackBlock readStackBlock(int tid, long sp, int word) throws ErrnoException {
        long end = (sp | 4095) + 1;
        while (true) {
            long[] w = readWords(tid, sp, (int) ((end - sp) / word), word);
            if (StackBlock.wordsNeeded(w) >= 0) {
                return StackBlock.parse(w);
            }
            end += 4096;
        }
    }

    /** {@code count} words of {@code word} bytes (8, or 4 for i386, zero-extended). */
    private long[] readWords(int tid, long at, int count, int word) throws ErrnoException {
        ByteBuffer raw = ByteBuffer.wrap(memory.read(tid, at, count * word)).order(ByteOrder.nativeOrder());
        long[] w = new long[count];
        for (int i = 0; i < count; i++) {
            w[i] = word == 8 ? raw.getLong() : Integer.toUnsignedLong(raw.getInt());
        }
        return w;
    }

    private void writeWords(int tid, long at, long[] words, int word) throws ErrnoException {
        ByteBuffer b = ByteBuffer.allocate(words.length * word).order(ByteOrder.nativeOrder());
        for (long w : words) {
            if (word == 8) {
                b.putLong(w);
            } else {
                b.putInt((int) w);
            }
        }
        memory.write(tid, at, b.array());
    }
}
