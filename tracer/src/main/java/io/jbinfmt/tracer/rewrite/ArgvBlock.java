package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.policy.ExecPlan;

import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.ptrace.Registers;
import io.jbinfmt.tracer.sys.FileCalls;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bytes a rewritten exec's new path and argv (and, after a null entry, envp) take in the tracee: the strings,
 * then the pointer arrays, laid out for a given address. Pure; both engines write it the same way.
 */
public final class ArgvBlock {
    private ArgvBlock() {
    }

    /** Where the argv pointer array starts, from the block's start. */
    static int argvOffset(ExecPlan.Rewrite plan) {
        return align8(stringsLength(plan));
    }

    /** The block's size in bytes, with pointers of {@code word} bytes. */
    public static int size(ExecPlan.Rewrite plan, int word) {
        return argvOffset(plan) + word * (plan.argv().size() + 1);
    }

    /**
     * Points a stopped exec's registers at the block written at {@code base}: an execve (an execveat becomes one)
     * of the plan's path with its argv, and with the envp in the block when the rules set variables, else the
     * caller's own {@code callersEnvp}. The caller pushes the registers.
     */
    public static void pointRegisters(Registers regs, ExecAbi abi, ExecPlan.Rewrite plan, long base, long callersEnvp) {
        regs.set(Reg.SYSNUM, abi.execve());
        regs.setArg(abi, 1, base);
        regs.setArg(abi, 2, base + argvOffset(plan));
        regs.setArg(abi, 3, envp(abi, plan, base, callersEnvp));
    }

    /**
     * As {@link #pointRegisters}, but an execveat(fd, "", argv, envp, AT_EMPTY_PATH) of the file the tracee holds as
     * {@code fd}: how an F rule's interpreter, handed in as a descriptor, is run wherever the tracee is. The plan's
     * path (the block's first string) must be empty.
     */
    public static void pointRegistersAtDescriptor(Registers regs, ExecAbi abi, ExecPlan.Rewrite plan, long base,
                                                  long callersEnvp, int fd) {
        if (plan.path().length != 0) {
            throw new IllegalArgumentException("an exec by descriptor has an empty path");
        }
        regs.set(Reg.SYSNUM, abi.execveat());
        regs.setArg(abi, 1, fd);
        regs.setArg(abi, 2, base);
        regs.setArg(abi, 3, base + argvOffset(plan));
        regs.setArg(abi, 4, envp(abi, plan, base, callersEnvp));
        regs.setArg(abi, 5, FileCalls.AT_EMPTY_PATH);
    }

    /** The envp the rewritten exec gets: the block's when the rules set variables, else the caller's own. */
    private static long envp(ExecAbi abi, ExecPlan.Rewrite plan, long base, long callersEnvp) {
        return plan.env().isEmpty() ? callersEnvp
                : base + argvOffset(plan) + (long) abi.wordSize() * (plan.argv().size() - plan.env().size());
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
     * path\0 argv[0]\0 ... padded to 8, then the argv pointers ({@code word} bytes each) and NULL, for placing at
     * {@code base}. A null entry in the list ends one pointer array and starts another (argv, then envp when the
     * rules set variables).
     */
    public static byte[] bytes(ExecPlan.Rewrite plan, long base, int word) {
        int strings = argvOffset(plan);
        ByteBuffer b = ByteBuffer.allocate(size(plan, word)).order(ByteOrder.nativeOrder());
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
