package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.policy.PathBytes;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;

import java.util.Arrays;

/**
 * A path through a tracee's /proc/TID/cwd, /proc/TID/root or /proc/TID/fd/N, re-rooted at a descriptor of ours
 * ({@code /proc/self/fd/M/rest}) opened with the tracer's own credentials. Needed when the tracer checks an access
 * with a tracee's credentials: the kernel lets a process follow another's /proc magic links only with ptrace
 * access to it, which a tracee that is not dumpable (it changed its ids) does not give even to itself as another
 * uid; our own /proc/self/fd is always ours to follow.
 */
record ProcLinkPrefix(byte[] where, int fd) implements AutoCloseable {

    /** {@code where} re-rooted at a descriptor of ours if it starts with a tracee's magic link; else as it is. */
    static ProcLinkPrefix of(byte[] where) throws ErrnoException {
        int end = prefixEnd(where);
        if (end < 0) {
            return new ProcLinkPrefix(where, -1);
        }
        int fd = FileCalls.open(FileCalls.AT_FDCWD, Arrays.copyOf(where, end), FileCalls.O_PATH | FileCalls.O_CLOEXEC);
        byte[] rest = Arrays.copyOfRange(where, end, where.length);
        return new ProcLinkPrefix(PathBytes.concat(("/proc/self/fd/" + fd).getBytes(), rest), fd);
    }

    /** Where the magic link ends in /proc/TID/{cwd,root,fd/N}[/...], or -1 when {@code p} is no such path. */
    static int prefixEnd(byte[] p) {
        String s = new String(p, 0, Math.min(p.length, 64), java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!s.startsWith("/proc/")) {
            return -1;
        }
        int i = 6;
        int digits = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == digits) {
            return -1; // /proc/self/...: ours already
        }
        for (String link : new String[] {"/cwd", "/root"}) {
            if (s.startsWith(link, i) && (i + link.length() == p.length || p[i + link.length()] == '/')) {
                return i + link.length();
            }
        }
        if (s.startsWith("/fd/", i)) {
            int j = i + 4;
            int start = j;
            while (j < s.length() && Character.isDigit(s.charAt(j))) {
                j++;
            }
            if (j > start && (j == p.length || p[j] == '/')) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            FileCalls.close(fd);
        }
    }
}
