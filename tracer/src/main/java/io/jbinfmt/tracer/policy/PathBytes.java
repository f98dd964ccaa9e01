package io.jbinfmt.tracer.policy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** Small operations on paths as bytes (never Strings: a path need not be UTF-8). */
public final class PathBytes {
    private PathBytes() {
    }

    /** The last component: what follows the last '/'. */
    public static byte[] basename(byte[] path) {
        int slash = -1;
        for (int i = 0; i < path.length; i++) {
            if (path[i] == '/') {
                slash = i;
            }
        }
        return Arrays.copyOfRange(path, slash + 1, path.length);
    }

    /** {@code s} with a terminating NUL, as the tracee's memory needs it. */
    public static byte[] cString(byte[] s) {
        return concat(s, new byte[1]);
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** /proc/TID/fd/FD: the tracee's descriptor, as a path the tracer can open. */
    public static byte[] procFd(int tid, int fd) {
        return ("/proc/" + tid + "/fd/" + fd).getBytes();
    }
}
