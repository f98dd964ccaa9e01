package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

/** Finds the file a command name means, as execvp(3) does: a name with a '/' as is, else the first hit on PATH. */
public final class CommandResolver {
    /** glibc's execvp default when PATH is unset. */
    private static final byte[] DEFAULT_PATH = "/bin:/usr/bin".getBytes();
    private static final byte[] PATH_PREFIX = "PATH=".getBytes();

    private CommandResolver() {
    }

    public static byte[] resolve(byte[] name, List<byte[]> environment) throws SpawnException {
        return resolve(name, environment, null);
    }

    /** As {@link #resolve(byte[], List)}, for a command that will run in {@code directory} (null: ours). */
    public static byte[] resolve(byte[] name, List<byte[]> environment, byte[] directory) throws SpawnException {
        if (name.length == 0) {
            throw new SpawnException("empty command name", Errno.ENOENT.code);
        }
        for (byte b : name) {
            if (b == '/') {
                return name;
            }
        }
        boolean sawDenied = false;
        for (byte[] dir : split(path(environment))) {
            byte[] candidate = join(dir, name);
            byte[] seen = directory != null && candidate[0] != '/' ? join(directory, candidate) : candidate;
            try {
                if (!FileCalls.isRegular(FileCalls.mode(FileCalls.AT_FDCWD, seen, 0))) {
                    continue;
                }
            } catch (ErrnoException e) {
                continue;
            }
            if (FileCalls.access(FileCalls.AT_FDCWD, seen, FileCalls.X_OK, FileCalls.AT_EACCESS) == 0) {
                return candidate;
            }
            sawDenied = true;
        }
        int errno = sawDenied ? Errno.EACCES.code : Errno.ENOENT.code;
        throw new SpawnException(new String(name) + ": " + (sawDenied ? "permission denied" : "command not found"),
                errno);
    }

    private static byte[] path(List<byte[]> environment) {
        for (byte[] entry : environment) {
            if (entry.length >= PATH_PREFIX.length
                    && Arrays.equals(entry, 0, PATH_PREFIX.length, PATH_PREFIX, 0, PATH_PREFIX.length)) {
                return Arrays.copyOfRange(entry, PATH_PREFIX.length, entry.length);
            }
        }
        return DEFAULT_PATH;
    }

    private static List<byte[]> split(byte[] path) {
        List<byte[]> dirs = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == ':') {
                byte[] dir = Arrays.copyOfRange(path, start, i);
                dirs.add(dir.length == 0 ? new byte[]{'.'} : dir); // an empty entry means the current directory
                start = i + 1;
            }
        }
        return dirs;
    }

    private static byte[] join(byte[] dir, byte[] name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(dir.length + 1 + name.length);
        out.writeBytes(dir);
        out.write('/');
        out.writeBytes(name);
        return out.toByteArray();
    }
}
