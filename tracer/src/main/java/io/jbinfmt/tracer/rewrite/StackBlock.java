package io.jbinfmt.tracer.rewrite;

import java.util.ArrayList;
import java.util.List;

/**
 * The start of a new program's stack as the kernel lays it out at exec: argc, argv pointers, NULL, envp
 * pointers, NULL, then the auxiliary vector of (type, value) pairs ending with AT_NULL. Pure: edits words and
 * says where they go.
 */
final class StackBlock {
    static final long AT_NULL = 0;
    static final long AT_EXECFD = 2;
    static final long AT_FLAGS = 8;
    static final long AT_EXECFN = 31;
    static final long AT_SYSINFO_EHDR = 33;
    static final long AT_FLAGS_PRESERVE_ARGV0 = 1;

    private final List<Long> words;
    private final int auxvStart;

    private StackBlock(List<Long> words, int auxvStart) {
        this.words = words;
        this.auxvStart = auxvStart;
    }

    /** Words read from the stack pointer on; {@link #wordsNeeded} tells whether more must be read. */
    static StackBlock parse(long[] w) {
        int i = 0;
        long argc = w[i++];
        i += (int) argc + 1;
        while (w[i] != 0) {
            i++;
        }
        i++;
        int auxv = i;
        while (w[i] != AT_NULL) {
            i += 2;
        }
        List<Long> words = new ArrayList<>();
        for (int k = 0; k < i + 2; k++) {
            words.add(w[k]);
        }
        return new StackBlock(words, auxv);
    }

    /** How many words of {@code w} the block spans, or -1 if it runs past the end of {@code w}. */
    static int wordsNeeded(long[] w) {
        int i = 0;
        if (w.length < 1) {
            return -1;
        }
        long argc = w[i++];
        i += (int) argc + 1;
        while (i < w.length && w[i] != 0) {
            i++;
        }
        i++;
        while (i < w.length && w[i] != AT_NULL) {
            i += 2;
        }
        return i + 1 < w.length ? i + 2 : -1;
    }

    /** Sets AT_FLAGS_PRESERVE_ARGV0 in the existing AT_FLAGS entry (the kernel always writes one). */
    boolean setPreserveArgv0() {
        for (int i = auxvStart; words.get(i) != AT_NULL; i += 2) {
            if (words.get(i) == AT_FLAGS) {
                words.set(i + 1, words.get(i + 1) | AT_FLAGS_PRESERVE_ARGV0);
                return true;
            }
        }
        return false;
    }

    /** Adds AT_EXECFD = fd before AT_NULL: the block grows by two words (so it moves down by 16 bytes). */
    void addExecFd(long fd) {
        int end = words.size() - 2;
        words.add(end, fd);
        words.add(end, AT_EXECFD);
    }

    /** Points the existing AT_EXECFN entry at {@code address}. */
    void setExecFn(long address) {
        for (int i = auxvStart; words.get(i) != AT_NULL; i += 2) {
            if (words.get(i) == AT_EXECFN) {
                words.set(i + 1, address);
            }
        }
    }

    /** The index of the word that holds the value of auxv entry {@code type}, or -1 when there is none. */
    int auxValueIndex(long type) {
        for (int i = auxvStart; words.get(i) != AT_NULL; i += 2) {
            if (words.get(i) == type) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Word {@code i} of the block. */
    long word(int i) {
        return words.get(i);
    }

    /** The value of auxv entry {@code type}, or -1. */
    long aux(long type) {
        for (int i = auxvStart; words.get(i) != AT_NULL; i += 2) {
            if (words.get(i) == type) {
                return words.get(i + 1);
            }
        }
        return -1;
    }

    int size() {
        return words.size();
    }

    long[] toArray() {
        long[] out = new long[words.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = words.get(i);
        }
        return out;
    }
}
