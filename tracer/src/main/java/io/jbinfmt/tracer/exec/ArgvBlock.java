package io.jbinfmt.tracer.exec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The bytes a rewritten exec's new path and argv (and, after a null entry, envp) take in the tracee: the strings,
 * then the pointer arrays, laid out for a given address. Pure; both engines write it the same way.
 */
final class ArgvBlock {
    private ArgvBlock() {
    }

    /** Where the argv pointer array starts, from the block's start. */
    static int argvOffset(ExecPlan.Rewrite plan) {
        return align8(stringsLength(plan));
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
    static byte[] bytes(ExecPlan.Rewrite plan, long base, int word) {
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
