package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.policy.PathBytes;

import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;

import java.util.Arrays;

/**
 * Path lookup as one tracee sees the file system: its root directory (a chroot) and its mount namespace, read
 * once per exec decision ({@link #of}; where its root is ours, by mount and inode, that one look says enough).
 * Outside a chroot and in our mounts a path is used as it is (relative ones
 * through /proc/TID/cwd); otherwise it is resolved with openat2(RESOLVE_IN_ROOT) at /proc/TID/root, whose walk
 * crosses the tracee's own mounts and keeps absolute symlinks and ".." inside its root, as the kernel does.
 */
final class TraceeRoot {
    private final int tid;
    private final byte[] root;
    private final boolean ownMounts;

    private TraceeRoot(int tid, byte[] root, boolean ownMounts) {
        this.tid = tid;
        this.root = root;
        this.ownMounts = ownMounts;
    }

    private static final byte[] SLASH = {'/'};
    /** Our root directory, by mount, device and inode; null where the kernel does not say (see FileCalls). */
    private static final long[] OUR_ROOT = ourRoot();

    /**
     * Tracee {@code tid}'s root and mounts as they are now. Its root is first compared with ours by mount and
     * inode, one look at /proc (every exec is a new pid, whose /proc entries are made afresh): the same directory
     * through the same mount is walked down through the same mounts, whatever namespace the tracee is in, so our
     * paths are its paths. Otherwise its root link and mount namespace are read, for the lookups in
     * {@link #locate}.
     */
    static TraceeRoot of(int tid) throws ErrnoException {
        byte[] rootLink = ("/proc/" + tid + "/root").getBytes();
        if (OUR_ROOT != null && Arrays.equals(FileCalls.mountDeviceInode(rootLink), OUR_ROOT)) {
            return new TraceeRoot(tid, SLASH, true);
        }
        return new TraceeRoot(tid, FileCalls.readlink(rootLink), OwnNamespaces.mount(tid));
    }

    /** The mount id of our root directory; -1 where the kernel does not say (before Linux 5.8). */
    static long ourRootMount() {
        return OUR_ROOT == null ? -1 : OUR_ROOT[0];
    }

    private static long[] ourRoot() {
        try {
            return FileCalls.mountDeviceInode(SLASH);
        } catch (ErrnoException e) {
            return null;
        }
    }

    int tid() {
        return tid;
    }

    /** Whether the tracee shares our root directory and mounts, so our paths are its paths. */
    boolean reachesOurFiles() {
        return ownMounts && plainRoot();
    }

    private boolean plainRoot() {
        return root.length == 1 && root[0] == '/';
    }

    /** A path the tracer can open for what a tracee names, and the O_PATH descriptor it goes through, if any. */
    record Located(byte[] where, int heldFd) implements AutoCloseable {
        @Override
        public void close() {
            if (heldFd >= 0) {
                FileCalls.close(heldFd);
            }
        }
    }

    /**
     * Where the tracer finds the file the tracee names by {@code path} (absolute, or relative to its cwd). Outside
     * a chroot: the path itself, or /proc/TID/cwd/path. In a chroot, or another mount namespace: an O_PATH
     * descriptor from openat2(RESOLVE_IN_ROOT) at /proc/TID/root, named /proc/self/fd/N (opening that reopens the
     * file); a relative path in another mount namespace goes through /proc/TID/cwd.
     * {@code noFollow}: a final symlink is not followed (then stat it to tell).
     */
    Located locate(byte[] path, boolean noFollow) throws ErrnoException {
        if (path[0] == '/' && reachesOurFiles()) {
            return new Located(path, -1); // the common case: the tracee sees our files
        }
        byte[] cwdPath = PathBytes.concat(("/proc/" + tid + "/cwd/").getBytes(), path);
        if (reachesOurFiles()) {
            return new Located(cwdPath, -1);
        }
        if (path[0] != '/' && !ownMounts) {
            return new Located(cwdPath, -1); // its cwd, through the magic link, in its own mounts
        }
        byte[] inRoot = path;
        if (path[0] != '/' && !plainRoot()) {
            byte[] cwd = FileCalls.readlink(("/proc/" + tid + "/cwd").getBytes());
            if (Arrays.equals(cwd, root)) {
                inRoot = PathBytes.concat("/".getBytes(), path);
            } else if (cwd.length > root.length && cwd[root.length] == '/'
                    && Arrays.equals(cwd, 0, root.length, root, 0, root.length)) {
                inRoot = PathBytes.concat(Arrays.copyOfRange(cwd, root.length, cwd.length), "/".getBytes(), path);
            } else {
                return new Located(cwdPath, -1); // a cwd outside its root (chroot without chdir): start there
            }
        }
        int rootFd = FileCalls.open(FileCalls.AT_FDCWD, ("/proc/" + tid + "/root").getBytes(),
                FileCalls.O_PATH | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC);
        try {
            int fd = FileCalls.openInRoot(rootFd, inRoot,
                    FileCalls.O_PATH | FileCalls.O_CLOEXEC | (noFollow ? FileCalls.O_NOFOLLOW : 0));
            return new Located(("/proc/self/fd/" + fd).getBytes(), fd);
        } finally {
            FileCalls.close(rootFd);
        }
    }

    /** Whether the tracee lives in our PID namespace (read now): /proc/OURPID names us only there. */
    boolean sharesOurPids() {
        return OwnNamespaces.pid(tid);
    }
}
