package io.jbinfmt.cli;

import io.jbinfmt.tracer.spawn.Environment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What bin/jbinfmt tells the JVM about the process it replaced: the descriptors it was given (which the command
 * must get too), in JBINFMT_PASS_FDS. The variable itself is removed from the command's environment.
 */
record LauncherHandoff(List<byte[]> environment, Set<Integer> passFds) {
    static final String VARIABLE = "JBINFMT_PASS_FDS";

    static LauncherHandoff fromEnvironment() {
        byte[] prefix = (VARIABLE + "=").getBytes(StandardCharsets.US_ASCII);
        List<byte[]> env = new ArrayList<>();
        Set<Integer> fds = new HashSet<>();
        for (byte[] entry : Environment.inherited()) {
            if (startsWith(entry, prefix)) {
                String list = new String(entry, prefix.length, entry.length - prefix.length, StandardCharsets.US_ASCII);
                for (String fd : list.split(",")) {
                    if (!fd.isBlank()) {
                        fds.add(Integer.parseInt(fd.trim()));
                    }
                }
            } else {
                env.add(entry);
            }
        }
        return new LauncherHandoff(env, fds);
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
