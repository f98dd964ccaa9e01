package io.jbinfmt.tracer.exec;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.ProcessCalls;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.FsCredentials;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@link ExecTargets} over /proc: a relative path is opened through /proc/TID/cwd, a descriptor-relative one
 * through /proc/TID/fd/N, so the tracer sees the file the tracee names. For a tracee in a chroot or another mount
 * namespace, absolute (and, in a chroot, cwd-relative) paths are resolved with openat2(RESOLVE_IN_ROOT) at its
 * root, so that its mounts count and absolute symlinks and ".." stay inside it, as they do for the tracee. F
 * rules' interpreters are held open for the session and reach such tracees through our /proc/PID/fd.
 * Used by the tracer thread only.
 */
public final class TraceeFiles implements ExecTargets {
    /** Our own mount namespace ("mnt:[inode]"), to tell a tracee that lives in another one. */
    private static final byte[] OWN_MOUNTS = ownMounts();

    /**
     * The root directory of {@link #rootTid} and whether it sees our mounts, read once per exec decision (which
     * starts with executable()).
     */
    private byte[] root;
    private boolean ownMounts;
    /** The credentials to check {@link #rootTid}'s accesses with, when they are not ours; else null. */
    private FsCredentials traceeCredentials;
    private int rootTid = -1;
    /** The tracer thread's own credentials; known only when it may take on others (it runs as root). */
    private FsCredentials ours;
    private final boolean mayTakeOnCredentials = ProcessCalls.geteuid() == 0;
    /** F rules' interpreters, opened (O_PATH) when the rules were loaded, as the kernel does at registration. */
    private final Map<Rule, Integer> fixed = new IdentityHashMap<>();
    private final int selfPid = ProcessCalls.getpid();

    /** For deciding execs with no F rule in play (the check command). */
    public TraceeFiles() {
    }

    /** Opens the interpreters of {@code rules}' F rules now; {@link #close} closes them. */
    public TraceeFiles(RuleSet rules) {
        for (Rule r : rules.inMatchOrder()) {
            if (r.has(RuleFlag.F)) {
                try {
                    fixed.put(r, FileCalls.open(FileCalls.AT_FDCWD, r.interpreter(),
                            FileCalls.O_PATH | FileCalls.O_CLOEXEC));
                } catch (ErrnoException e) {
                    // the kernel would have refused the rule (FixBinaryCheck says so at load): run it by path
                }
            }
        }
    }

    /** Closes the F interpreters held open. */
    public void close() {
        fixed.values().forEach(FileCalls::close);
        fixed.clear();
    }

    /**
     * An F interpreter for a tracee that cannot reach ours by path (a chroot, another mount namespace): the file
     * opened at load. For any other tracee the interpreter is opened by path, as it will be exec'd by path.
     */
    @Override
    public Target fixedInterpreter(int tid, Rule rule) throws ExecFailure {
        Integer fd = fixed.get(rule);
        if (fd == null || reachesOurFiles(tid)) {
            return interpreter(tid, rule.interpreter());
        }
        // no access check: the kernel does not check an F interpreter again after registration
        return open(new Located(("/proc/self/fd/" + fd).getBytes(), -1), basename(rule.interpreter()), null);
    }

    /**
     * /proc/OURPID/fd/N, the held file, for a tracee that cannot reach the interpreter by path; its path for any
     * other (which keeps working for a tracee whose credentials would not let it into our /proc/PID/fd).
     */
    @Override
    public byte[] fixedInterpreterPath(int tid, Rule rule) {
        Integer fd = fixed.get(rule);
        if (fd == null || reachesOurFiles(tid)) {
            return rule.interpreter();
        }
        return ("/proc/" + selfPid + "/fd/" + fd).getBytes();
    }

    /** Whether tracee {@code tid} shares our root directory and mounts (read once per exec decision). */
    private boolean reachesOurFiles(int tid) {
        try {
            readRoot(tid);
        } catch (ErrnoException e) {
            return true;
        }
        return ownMounts && root.length == 1 && root[0] == '/';
    }

    private void readRoot(int tid) throws ErrnoException {
        if (rootTid != tid) {
            root = FileCalls.readlink(("/proc/" + tid + "/root").getBytes());
            ownMounts = Arrays.equals(FileCalls.readlink(("/proc/" + tid + "/ns/mnt").getBytes()), OWN_MOUNTS);
            traceeCredentials = credentialsOf(tid);
            rootTid = tid;
        }
    }

    /**
     * The credentials the kernel will check tracee {@code tid}'s exec with, when they differ from the tracer's and
     * the tracer can take them on for its checks (it runs as root); otherwise null (our checks stand for its).
     */
    private FsCredentials credentialsOf(int tid) throws ErrnoException {
        if (!mayTakeOnCredentials) {
            return null; // then neither can the tracee have other credentials: no_new_privs holds it to ours
        }
        if (ours == null) {
            ours = FsCredentials.ofThisThread();
        }
        int[] owner = FileCalls.owner(("/proc/" + tid).getBytes()); // its euid and egid, one cheap look
        if (owner[0] == ours.fsuid() && owner[1] == ours.fsgid()) {
            return null;
        }
        try {
            FsCredentials c = FsCredentials.of(tid);
            return c.sameAs(ours) ? null : c;
        } catch (IOException | RuntimeException e) {
            throw new ErrnoException("credentials of " + tid, Errno.ESRCH.code);
        }
    }

    @Override
    public Target executable(ExecRequest r) {
        rootTid = -1; // a new exec: the tracee may have chroot'ed or changed credentials since the last one
        try {
            readRoot(r.tid());
        } catch (ErrnoException e) {
            return null; // gone, or not ours to look at: the kernel decides
        }
        byte[] where;
        if (r.relativeToFd()) {
            if (r.path().length == 0 && (r.flags() & FileCalls.AT_EMPTY_PATH) == 0) {
                return null; // ENOENT, the kernel's to report
            }
            where = r.path().length == 0 ? procFd(r.tid(), r.dirfd())
                    : concat(procFd(r.tid(), r.dirfd()), "/".getBytes(), r.path());
        } else {
            if (r.path().length == 0) {
                return null;
            }
            where = null;
        }
        // For an fd exec with an empty path the kernel names the process after the dentry of the file it finally
        // runs (bprm->comm_from_dentry): that is the interpreter we exec, so the kernel's own choice stands (null).
        byte[] name = r.relativeToFd() && r.path().length == 0 ? null : basename(r.filename());
        boolean noFollow = (r.flags() & FileCalls.AT_SYMLINK_NOFOLLOW) != 0;
        try (Located at = where != null ? new Located(where, -1) : locate(r.tid(), r.path(), noFollow)) {
            if (noFollow && FileCalls.isSymlink(at.heldFd() >= 0 ? FileCalls.modeOf(at.heldFd())
                    : FileCalls.mode(FileCalls.AT_FDCWD, at.where(), FileCalls.AT_SYMLINK_NOFOLLOW))) {
                return null; // ELOOP, the kernel's to report
            }
            return open(at, name, traceeCredentials);
        } catch (ErrnoException | ExecFailure e) {
            return null; // not found, not executable, ...: the kernel fails it the same way without us
        }
    }

    @Override
    public Target interpreter(int tid, byte[] path) throws ExecFailure {
        if (path.length == 0) {
            throw new ExecFailure(Errno.ENOENT.code, "empty interpreter path");
        }
        try (Located at = locate(tid, path, false)) {
            return open(at, basename(path), rootTid == tid ? traceeCredentials : null);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), new String(path) + ": " + Errno.describe(e.errno()));
        }
    }

    /** A path the tracer can open for what a tracee names, and the O_PATH descriptor it goes through, if any. */
    private record Located(byte[] where, int heldFd) implements AutoCloseable {
        @Override
        public void close() {
            if (heldFd >= 0) {
                FileCalls.close(heldFd);
            }
        }
    }

    /**
     * Where the tracer finds the file tracee {@code tid} names by {@code path} (absolute, or relative to its cwd).
     * Outside a chroot: the path itself, or /proc/TID/cwd/path. In a chroot, or another mount namespace: an O_PATH
     * descriptor from openat2(RESOLVE_IN_ROOT) at /proc/TID/root, whose walk crosses the tracee's own mounts,
     * named /proc/self/fd/N (opening that reopens the file); a relative path in another mount namespace goes
     * through /proc/TID/cwd.
     * {@code noFollow}: a final symlink is not followed (then stat it to tell).
     */
    private Located locate(int tid, byte[] path, boolean noFollow) throws ErrnoException {
        readRoot(tid);
        boolean plainRoot = root.length == 1 && root[0] == '/';
        if (path[0] == '/' && plainRoot && ownMounts) {
            return new Located(path, -1); // the common case: the tracee sees our files
        }
        byte[] cwdPath = concat(("/proc/" + tid + "/cwd/").getBytes(), path);
        if (plainRoot && ownMounts) {
            return new Located(cwdPath, -1);
        }
        if (path[0] != '/' && !ownMounts) {
            return new Located(cwdPath, -1); // its cwd, through the magic link, in its own mounts
        }
        byte[] inRoot = path;
        if (path[0] != '/' && !plainRoot) {
            byte[] cwd = FileCalls.readlink(("/proc/" + tid + "/cwd").getBytes());
            if (Arrays.equals(cwd, root)) {
                inRoot = concat("/".getBytes(), path);
            } else if (cwd.length > root.length && cwd[root.length] == '/'
                    && Arrays.equals(cwd, 0, root.length, root, 0, root.length)) {
                inRoot = concat(Arrays.copyOfRange(cwd, root.length, cwd.length), "/".getBytes(), path);
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

    private static byte[] ownMounts() {
        try {
            return FileCalls.readlink("/proc/self/ns/mnt".getBytes());
        } catch (ErrnoException e) {
            return new byte[0];
        }
    }

    /**
     * Opens what {@code at} names if the kernel's open_exec would: a regular file on an exec mount, executable by
     * {@code as} (the tracee's credentials when they are not ours, checked along the whole path; null: ours).
     */
    private Target open(Located at, byte[] name, FsCredentials as) throws ExecFailure {
        byte[] where = at.where();
        if (as != null) {
            int e = at.heldFd() >= 0
                    ? as.access(at.heldFd(), new byte[0], FileCalls.X_OK, FileCalls.AT_EMPTY_PATH, ours)
                    : as.access(FileCalls.AT_FDCWD, where, FileCalls.X_OK, 0, ours);
            if (e != 0) {
                throw new ExecFailure(e, new String(where) + ": " + Errno.describe(e) + " for uid " + as.fsuid());
            }
        }
        // Never open what is not a regular file: a FIFO would block the tracer, a device could react to it.
        try {
            if (!FileCalls.isRegular(FileCalls.mode(FileCalls.AT_FDCWD, where, 0))) {
                throw new ExecFailure(Errno.EACCES.code, new String(where) + " is not a regular file");
            }
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot stat " + new String(where) + ": " + Errno.describe(e.errno()));
        }
        int fd;
        try {
            // O_NONBLOCK too, in case it was swapped for a FIFO since the stat
            fd = FileCalls.open(FileCalls.AT_FDCWD, where, FileCalls.O_RDONLY | FileCalls.O_CLOEXEC | FileCalls.O_NONBLOCK);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot open " + new String(where) + ": " + Errno.describe(e.errno()));
        }
        try {
            if (!FileCalls.isRegular(FileCalls.modeOf(fd))) {
                throw new ExecFailure(Errno.EACCES.code, new String(where) + " is not a regular file");
            }
            if (as == null // else checked above, with the credentials that count
                    && FileCalls.access(FileCalls.AT_FDCWD, where, FileCalls.X_OK, FileCalls.AT_EACCESS) != 0) {
                throw new ExecFailure(Errno.EACCES.code, new String(where) + " is not executable");
            }
            if (FileCalls.onNoexecMount(fd)) {
                throw new ExecFailure(Errno.EACCES.code, new String(where) + " is on a noexec mount");
            }
            return new Target(header(fd), fd, name);
        } catch (ErrnoException e) {
            FileCalls.close(fd);
            throw new ExecFailure(e.errno(), new String(where) + ": " + Errno.describe(e.errno()));
        } catch (ExecFailure e) {
            FileCalls.close(fd);
            throw e;
        }
    }

    /** The first 256 bytes, zero-filled past the end of the file (the kernel's bprm->buf). */
    private static byte[] header(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(Rule.HEADER_SIZE);
            long got = 0;
            while (got < Rule.HEADER_SIZE) {
                long n = FileCalls.pread(fd, buf.asSlice(got), got);
                if (n == 0) {
                    break;
                }
                got += n;
            }
            return buf.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override
    public boolean closeOnExec(int tid, int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + tid + "/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) {
                    return (Integer.parseInt(line.substring(6).trim(), 8) & FileCalls.O_CLOEXEC) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not open: the exec fails with EBADF, the kernel's to report
        }
        return false;
    }

    @Override
    public void release(Target target) {
        FileCalls.close(target.fd());
    }

    static byte[] basename(byte[] path) {
        int slash = -1;
        for (int i = 0; i < path.length; i++) {
            if (path[i] == '/') {
                slash = i;
            }
        }
        return Arrays.copyOfRange(path, slash + 1, path.length);
    }

    private static byte[] procFd(int tid, int fd) {
        return ("/proc/" + tid + "/fd/" + fd).getBytes();
    }

    /** {@code s} with a terminating NUL, as the tracee's memory needs it. */
    static byte[] cString(byte[] s) {
        return concat(s, new byte[1]);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
