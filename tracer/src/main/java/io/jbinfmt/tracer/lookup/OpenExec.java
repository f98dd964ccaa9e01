package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.Target;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.FileStamp;
import io.jbinfmt.tracer.sys.FsCredentials;
import io.jbinfmt.tracer.sys.Scratch;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The kernel's open_exec, done by the tracer: a file is opened only if it is a regular file on an exec mount,
 * executable by the exec'ing process; its first 256 bytes are read for the rules. Checked with our own
 * credentials, the file is opened and its header read first, and the rest of the checks made only when the header
 * decides anything ({@link #check}): most files an exec reaches are native programs no rule takes.
 */
final class OpenExec {
    private OpenExec() {
    }

    /**
     * Opens what {@code where} names if it is a regular file (never a FIFO, which would block us, or a device,
     * which could react), with its header. Checked with {@code as} (the tracee's credentials when they are not
     * ours, along the whole path, before anything is opened: null: ours, restored to {@code ours} after) the
     * target is checked in full; with ours it is {@linkplain Target#checked unchecked} until {@link #check}.
     * {@code heldFd}: an O_PATH descriptor {@code where} goes through (checked through it), or -1.
     * {@code settled}: files held open with their headers, looked in first and offered what is opened (null:
     * none); a target whose descriptor they hold is not the caller's to close ({@link SettledFiles#holds}).
     */
    static Target open(byte[] where, int heldFd, byte[] name, FsCredentials as, FsCredentials ours,
                       SettledFiles settled) throws ExecFailure {
        if (as != null) {
            int e = heldFd >= 0
                    ? as.access(heldFd, new byte[0], FileCalls.X_OK, FileCalls.AT_EMPTY_PATH, ours)
                    : as.access(FileCalls.AT_FDCWD, where, FileCalls.X_OK, 0, ours);
            if (e != 0) {
                throw new ExecFailure(e, new String(where) + ": " + Errno.describe(e) + " for uid " + as.fsuid());
            }
        }
        // Never open what is not a regular file: a FIFO would block the tracer, a device could react to it.
        FileStamp stamp;
        try {
            stamp = FileStamp.of(FileCalls.AT_FDCWD, where, 0);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot stat " + new String(where) + ": " + Errno.describe(e.errno()));
        }
        if (!stamp.regular()) {
            throw new ExecFailure(Errno.EACCES.code, new String(where) + " is not a regular file");
        }
        if (settled != null && heldFd < 0) {
            SettledFiles.Held h = settled.find(stamp);
            if (h != null) {
                return opened(where, h.fd(), h.header(), name, as, true);
            }
        }
        int fd;
        try {
            // O_NONBLOCK too, in case it was swapped for a FIFO since the stat (then its read fails, ESPIPE)
            fd = FileCalls.open(FileCalls.AT_FDCWD, where, FileCalls.O_RDONLY | FileCalls.O_CLOEXEC | FileCalls.O_NONBLOCK);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot open " + new String(where) + ": " + Errno.describe(e.errno()));
        }
        byte[] header;
        try {
            header = header(fd);
        } catch (ErrnoException e) {
            FileCalls.close(fd);
            throw new ExecFailure(e.errno(), new String(where) + ": " + Errno.describe(e.errno()));
        }
        return opened(where, fd, header, name, as, settled != null && heldFd < 0 && settled.offer(fd, header));
    }

    /** The target open on {@code fd}; checked now where opened with the tracee's credentials ({@code as}). */
    private static Target opened(byte[] where, int fd, byte[] header, byte[] name, FsCredentials as, boolean held)
            throws ExecFailure {
        try {
            Target t = new Target(header, fd, name, as != null);
            if (as != null) {
                checkOpen(fd, false); // executable for it: checked above, with its credentials
            }
            return t;
        } catch (ErrnoException e) {
            if (!held) {
                FileCalls.close(fd);
            }
            throw new ExecFailure(e.errno(), new String(where) + ": " + Errno.describe(e.errno()));
        } catch (ExecFailure e) {
            if (!held) {
                FileCalls.close(fd);
            }
            throw e;
        }
    }

    /**
     * As {@link #check}, for a target on a file we hold ({@link SettledFiles}): a regular file when it was held (a
     * file's type never changes), executable by us as first asked (unchanged while its change time is); only its
     * mount's noexec is asked again (a remount changes no file).
     */
    static void checkHeld(Target target, SettledFiles.Held held) throws ExecFailure {
        if (!held.executableByUs()) {
            throw new ExecFailure(Errno.EACCES.code, "fd " + target.fd() + " is not executable");
        }
        try {
            if (FileCalls.onNoexecMount(target.fd())) {
                throw new ExecFailure(Errno.EACCES.code, "fd " + target.fd() + " is on a noexec mount");
            }
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "fd " + target.fd() + ": " + Errno.describe(e.errno()));
        }
    }

    /** The rest of open_exec's checks for an unchecked {@code target}, with our credentials; it stays open either way. */
    static void check(Target target) throws ExecFailure {
        try {
            checkOpen(target.fd(), true);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "fd " + target.fd() + ": " + Errno.describe(e.errno()));
        }
    }

    /**
     * The rest of open_exec's checks for an unchecked {@code target}, with the credentials {@code as} (not ours,
     * restored to {@code ours} after): executable for them at {@code dirfd}/{@code path} (the path the tracee named,
     * walked as it would be, or the file itself by an empty path), then as {@link #check}.
     */
    static void checkAs(Target target, int dirfd, byte[] path, FsCredentials as, FsCredentials ours)
            throws ExecFailure {
        int e = as.access(dirfd, path, FileCalls.X_OK, path.length == 0 ? FileCalls.AT_EMPTY_PATH : 0, ours);
        if (e != 0) {
            throw new ExecFailure(e, new String(path) + ": " + Errno.describe(e) + " for uid " + as.fsuid());
        }
        try {
            checkOpen(target.fd(), false);
        } catch (ErrnoException x) {
            throw new ExecFailure(x.errno(), "fd " + target.fd() + ": " + Errno.describe(x.errno()));
        }
    }

    /** Still a regular file once open (swapped since the stat?), {@code executable} by us, not on a noexec mount. */
    private static void checkOpen(int fd, boolean executable) throws ErrnoException, ExecFailure {
        if (!FileCalls.isRegular(FileCalls.modeOf(fd))) {
            throw new ExecFailure(Errno.EACCES.code, "fd " + fd + " is not a regular file");
        }
        if (executable && FileCalls.access(fd, new byte[0], FileCalls.X_OK,
                FileCalls.AT_EACCESS | FileCalls.AT_EMPTY_PATH) != 0) {
            throw new ExecFailure(Errno.EACCES.code, "fd " + fd + " is not executable");
        }
        if (FileCalls.onNoexecMount(fd)) {
            throw new ExecFailure(Errno.EACCES.code, "fd " + fd + " is on a noexec mount");
        }
    }

    /** The first 256 bytes, zero-filled past the end of the file (the kernel's bprm->buf). */
    private static byte[] header(int fd) throws ErrnoException {
        try (Scratch s = Scratch.enter()) {
            MemorySegment buf = s.allocate(Rule.HEADER_SIZE);
            buf.fill((byte) 0); // zero past the end of a short file
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
}
