package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;

/** The wait status a process that has exited but is not reaped yet shows in /proc/PID/stat (field 52, Linux 3.5+). */
public final class ZombieStatus {
    private ZombieStatus() {
    }

    /**
     * Its wait status, or -1 when /proc has no such process (reaped) or does not say. Read with raw calls and parsed
     * as bytes: it is asked at the end of every rewritten process under --stats, where a java.nio read (and the
     * exception a reaped pid costs it) made up a large part of the tracer's time per exec.
     */
    public static int read(int pid) {
        byte[] stat;
        try {
            stat = FileCalls.readSmall(("/proc/" + pid + "/stat").getBytes());
        } catch (ErrnoException e) {
            return -1;
        }
        return parse(stat);
    }

    /** Field 52 of a /proc/PID/stat line (the name in field 2 may hold spaces and parentheses: count from its end). */
    static int parse(byte[] stat) {
        int at = stat.length - 1;
        while (at >= 0 && stat[at] != ')') {
            at--;
        }
        if (at < 0) {
            return -1;
        }
        // after the name: " S f4 f5 ... f52": field 3 (the state) first; only a zombie's field 52 is its exit status
        int field = 2;
        long value = 0;
        boolean inWord = false;
        boolean zombie = false;
        for (int i = at + 1; i < stat.length; i++) {
            byte b = stat[i];
            if (b == ' ' || b == '\n') {
                inWord = false;
                continue;
            }
            if (!inWord) {
                inWord = true;
                field++;
                value = 0;
                if (field == 3) {
                    zombie = b == 'Z';
                }
            }
            if (field == 52) {
                if (b < '0' || b > '9' || value > Integer.MAX_VALUE / 10) {
                    return -1;
                }
                value = value * 10 + (b - '0');
            }
        }
        return zombie && field >= 52 ? (int) value : -1;
    }
}
