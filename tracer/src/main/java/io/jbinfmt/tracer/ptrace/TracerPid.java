package io.jbinfmt.tracer.ptrace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who traces a thread, from /proc: a tid we remember may have vanished and been reused since, so an engine kills
 * only what its tracer thread still traces.
 */
public final class TracerPid {
    private TracerPid() {
    }

    /** The tid of {@code tid}'s tracer (0: none), or -1 when it is gone. */
    public static int of(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/status"))) {
                if (line.startsWith("TracerPid:")) {
                    return Integer.parseInt(line.substring("TracerPid:".length()).trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone
        }
        return -1;
    }

    /** The calling thread's kernel tid: /proc names a tracee's tracer by it. */
    public static int currentTid() throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
        return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
    }
}
