package io.jbinfmt.tracer.policy;

import io.jbinfmt.tracer.sys.Errno;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An in-memory file table for the exec policy: paths (as the exec names them, no cwd) map to file contents, and
 * every target handed out must come back through {@link #release}, so a leaked descriptor shows in the tests.
 * Like the real one, it hands out a file that is not executable unchecked: {@link #check} refuses it.
 */
final class InMemoryTargets implements ExecTargets {
    private record File(byte[] content, boolean executable, boolean directory) {
    }

    private final Map<String, File> files = new HashMap<>();
    private final Set<Integer> cloexecFds = new HashSet<>();
    private final Set<Integer> open = new HashSet<>();
    /** The descriptors handed out unchecked, of files that are not executable. */
    private final Set<Integer> notExecutable = new HashSet<>();
    private int nextFd = 100;

    InMemoryTargets exe(String path, String content) {
        files.put(path, new File(content.getBytes(), true, false));
        return this;
    }

    InMemoryTargets plain(String path, String content) {
        files.put(path, new File(content.getBytes(), false, false));
        return this;
    }

    InMemoryTargets dir(String path) {
        files.put(path, new File(new byte[0], true, true));
        return this;
    }

    InMemoryTargets cloexec(int fd) {
        cloexecFds.add(fd);
        return this;
    }

    /** Descriptors handed out and not released. */
    Set<Integer> open() {
        return open;
    }

    @Override
    public Target executable(ExecRequest request) {
        File f = files.get(new String(request.filename()));
        if (f == null || f.directory()) {
            return null; // the kernel fails it before any handler: left to the kernel
        }
        return target(f, basename(request.filename()));
    }

    @Override
    public Target interpreter(int tid, byte[] path) throws ExecFailure {
        File f = files.get(new String(path));
        if (f == null) {
            throw new ExecFailure(Errno.ENOENT.code, "no such file");
        }
        if (f.directory()) {
            throw new ExecFailure(Errno.EACCES.code, "not a regular file");
        }
        return target(f, null);
    }

    @Override
    public void check(Target target) throws ExecFailure {
        if (notExecutable.contains(target.fd())) {
            throw new ExecFailure(Errno.EACCES.code, "not executable");
        }
    }

    @Override
    public boolean closeOnExec(int tid, int fd) {
        return cloexecFds.contains(fd);
    }

    @Override
    public void release(Target target) {
        if (!open.remove(target.fd())) {
            throw new AssertionError("released twice or never handed out: fd " + target.fd());
        }
    }

    private Target target(File f, byte[] name) {
        int fd = nextFd++;
        open.add(fd);
        if (!f.executable()) {
            notExecutable.add(fd);
        }
        return new Target(Arrays.copyOf(f.content(), 256), fd, name, f.executable());
    }

    private static byte[] basename(byte[] path) {
        String s = new String(path);
        return s.substring(s.lastIndexOf('/') + 1).getBytes();
    }
}
