package io.jbinfmt.tracer.spawn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** This process's environment as the kernel holds it: NUL-separated bytes, not decoded. */
public final class Environment {
    private Environment() {
    }

    /** The entries of /proc/self/environ, byte for byte. */
    public static List<byte[]> inherited() {
        try {
            return splitNul(Files.readAllBytes(Path.of("/proc/self/environ")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/environ", e);
        }
    }

    /** The NUL-terminated entries of a /proc block (environ, cmdline), as byte strings. */
    public static List<byte[]> splitNul(byte[] block) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < block.length; i++) {
            if (block[i] == 0) {
                out.add(Arrays.copyOfRange(block, start, i));
                start = i + 1;
            }
        }
        if (start < block.length) {
            out.add(Arrays.copyOfRange(block, start, block.length));
        }
        return out;
    }
}
