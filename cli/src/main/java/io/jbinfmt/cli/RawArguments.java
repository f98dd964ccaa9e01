package io.jbinfmt.cli;

import io.jbinfmt.tracer.spawn.Environment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The program's arguments as the kernel passed them, byte for byte. {@code main(String[])} decodes them with
 * the platform charset, which mangles bytes that are not valid text; the command we run must get them intact.
 */
public final class RawArguments {
    private final List<byte[]> args;

    RawArguments(List<byte[]> args) {
        this.args = List.copyOf(args);
    }

    /** The last {@code count} entries of /proc/self/cmdline: main's arguments follow the JVM's own. */
    static RawArguments fromProcSelf(int count) {
        try {
            List<byte[]> all = Environment.splitNul(Files.readAllBytes(Path.of("/proc/self/cmdline")));
            if (all.size() < count) {
                return null;
            }
            return new RawArguments(all.subList(all.size() - count, all.size()));
        } catch (IOException e) {
            return null;
        }
    }

    /** The last {@code count} arguments as bytes. */
    List<byte[]> tail(int count) {
        return args.subList(args.size() - count, args.size());
    }
}
