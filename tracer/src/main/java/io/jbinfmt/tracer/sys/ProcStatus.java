package io.jbinfmt.tracer.sys;

import java.io.IOException;
import java.util.Arrays;

/**
 * What the tracer needs of a thread's /proc/TID/status, read at once and parsed from the bytes (an exec decided as
 * root reads it every time: no regular expression, no String per line): the credentials its file accesses are
 * checked with, and the signals its process ignores.
 *
 * @param fsuid   the fourth Uid field (real, effective, saved, fs)
 * @param fsgid   the fourth Gid field
 * @param groups  the supplementary groups
 * @param capEff  the effective capabilities
 * @param sigIgn  the signals set to SIG_IGN (bit n-1 for signal n); all ones when the file does not say
 * @param sigBlk  the thread's signal mask (bit n-1 for signal n); all ones when the file does not say (never a
 *                real mask: SIGKILL cannot be blocked)
 */
public record ProcStatus(int fsuid, int fsgid, int[] groups, long capEff, long sigIgn, long sigBlk) {

    /** Reads and parses /proc/TID/status. */
    public static ProcStatus read(int tid) throws IOException {
        byte[] text;
        try {
            text = FileCalls.readSmall(("/proc/" + tid + "/status").getBytes());
        } catch (ErrnoException e) {
            throw new IOException(e.getMessage(), e);
        }
        return parse(text, tid);
    }

    /** The fields of the text of a status file ({@code tid}: for the message when a field is missing). */
    static ProcStatus parse(byte[] text, int tid) throws IOException {
        int fsuid = -1;
        int fsgid = -1;
        int[] groups = new int[0];
        long capEff = 0;
        long sigIgn = -1; // unknown: as if every signal were ignored
        long sigBlk = -1; // unknown
        int line = 0;
        while (line < text.length) {
            int end = line;
            while (end < text.length && text[end] != '\n') {
                end++;
            }
            if (startsWith(text, line, "Uid:")) {
                fsuid = (int) numbers(text, line + 4, end, 10, 4)[3];
            } else if (startsWith(text, line, "Gid:")) {
                fsgid = (int) numbers(text, line + 4, end, 10, 4)[3];
            } else if (startsWith(text, line, "Groups:")) {
                long[] g = numbers(text, line + 7, end, 10, -1);
                groups = new int[g.length];
                for (int i = 0; i < g.length; i++) {
                    groups[i] = (int) g[i];
                }
            } else if (startsWith(text, line, "CapEff:")) {
                capEff = numbers(text, line + 7, end, 16, 1)[0];
            } else if (startsWith(text, line, "SigIgn:")) {
                sigIgn = numbers(text, line + 7, end, 16, 1)[0];
            } else if (startsWith(text, line, "SigBlk:")) {
                sigBlk = numbers(text, line + 7, end, 16, 1)[0];
            }
            line = end + 1;
        }
        if (fsuid < 0 || fsgid < 0) {
            throw new IOException("/proc/" + tid + "/status has no Uid/Gid lines");
        }
        return new ProcStatus(fsuid, fsgid, groups, capEff, sigIgn, sigBlk);
    }

    /**
     * The credentials checks are made with (ids as our user namespace sees them); the effective capabilities only
     * when {@code capsCount}, else 0: a process in another user namespace holds them over that namespace's files
     * only, which the tracer cannot tell apart.
     */
    public FsCredentials credentials(boolean capsCount) {
        return new FsCredentials(fsuid, fsgid, groups, capsCount ? capEff : 0);
    }

    /** Whether signal {@code signal} is set to SIG_IGN in the process. */
    public boolean ignores(int signal) {
        return (sigIgn & (1L << (signal - 1))) != 0;
    }

    private static boolean startsWith(byte[] text, int at, String prefix) {
        if (at + prefix.length() > text.length) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (text[at + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The blank-separated unsigned numbers in {@code text[from, to)}, in {@code radix}; exactly {@code count} of
     * them (-1: any number).
     */
    private static long[] numbers(byte[] text, int from, int to, int radix, int count) throws IOException {
        long[] out = new long[count >= 0 ? count : 8];
        int n = 0;
        int i = from;
        while (true) {
            while (i < to && (text[i] == ' ' || text[i] == '\t')) {
                i++;
            }
            if (i == to) {
                break;
            }
            long v = 0;
            int start = i;
            while (i < to && text[i] != ' ' && text[i] != '\t') {
                int d = Character.digit(text[i], radix);
                if (d < 0) {
                    throw new IOException("not a number in a status line: " + new String(text, from, to - from));
                }
                v = v * radix + d;
                i++;
            }
            if (i - start > (radix == 16 ? 16 : 10)) {
                throw new IOException("number too long in a status line: " + new String(text, from, to - from));
            }
            if (n == out.length) {
                if (count >= 0) {
                    throw new IOException("more than " + count + " numbers in a status line");
                }
                out = Arrays.copyOf(out, n * 2);
            }
            out[n++] = v;
        }
        if (count >= 0 && n != count) {
            throw new IOException(count + " numbers expected in a status line, " + n + " found");
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }
}
