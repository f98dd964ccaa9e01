package io.jbinfmt.tracer.ptrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The wait status a process that has exited but is not reaped yet shows in /proc/PID/stat (field 52, Linux 3.5+). */
public final class ZombieStatus {
    private ZombieStatus() {
    }

    /** Its wait status, or -1 when /proc has no such process (reaped) or does not say. */
    public static int read(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return -1;
        }
        return parse(stat);
    }

    /** Field 52 of a /proc/PID/stat line (the name in field 2 may hold spaces and parentheses: count from its end). */
    static int parse(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return -1;
        }
        String[] after = stat.substring(close + 1).trim().split("\\s+");
        // after[0] is field 3 (state): field 52 is after[49]; only a zombie's is its exit status
        if (after.length < 50 || !after[0].equals("Z")) {
            return -1;
        }
        try {
            return Integer.parseInt(after[49]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
