package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.policy.ExecTargets;
import io.jbinfmt.tracer.policy.PathBytes;
import io.jbinfmt.tracer.policy.Target;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.FsCredentials;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@link ExecTargets} over /proc: the files an exec names, as the exec'ing tracee sees them. Composes the
 * concerns: {@link TraceeRoot} (path lookup in its root and mounts), {@link TraceeCredentials} (whose permissions
 * count), {@link OpenExec} (the kernel's open_exec checks and the header) and {@link FixedInterpreters} (F rules).
 * A tracee's root and credentials are read once per exec decision, which starts with {@link #executable}.
 * Used by the tracer thread only.
 */
public final class TraceeFiles implements ExecTargets, AutoCloseable {
    private final TraceeCredentials credentials = new TraceeCredentials();
    private final FixedInterpreters fixed;
    /** The tracee of the exec being decided: its root, and its credentials when they are not ours. */
    private TraceeRoot root;
    private FsCredentials traceeCredentials;

    /** For deciding execs with no F rule in play (the check command). */
    public TraceeFiles() {
        this(RuleSet.empty());
    }

    /** Opens the interpreters of {@code rules}' F rules now; {@link #close} closes them. */
    public TraceeFiles(RuleSet rules) {
        this.fixed = new FixedInterpreters(rules);
    }

    /** Closes the F interpreters held open. */
    @Override
    public void close() {
        fixed.close();
    }

    /** Tracee {@code tid}'s root, read at the start of this exec decision (or now, for another tracee). */
    private TraceeRoot rootOf(int tid) throws ErrnoException {
        if (root == null || root.tid() != tid) {
            root = null;
            TraceeRoot r = TraceeRoot.of(tid);
            traceeCredentials = credentials.of(tid);
            root = r; // only once both are known: a failure above leaves nothing half-read behind
        }
        return root;
    }

    /**
     * Whether tracee {@code tid} shares our root directory and mounts, so that a path of ours names the same file
     * for it (as read for the current exec decision).
     */
    public boolean sharesOurFiles(int tid) {
        try {
            return rootOf(tid).reachesOurFiles();
        } catch (ErrnoException e) {
            return true;
        }
    }

    /**
     * Whether tracee {@code tid} finds our descriptors at /proc/OURPID/fd/N: it shares our root, mounts and PID
     * namespace, and its credentials are ours (as read for the current exec decision).
     */
    public boolean reachesOurProc(int tid) {
        try {
            TraceeRoot r = rootOf(tid);
            return r.reachesOurFiles() && r.sharesOurPids() && traceeCredentials == null;
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * The signals tracee {@code tid}'s process ignores (bit n-1 for signal n), as read with its credentials for the
     * current exec decision; all ones when they were not read (only a tracer running as root reads them).
     */
    public long ignoredSignals(int tid) {
        try {
            rootOf(tid);
        } catch (ErrnoException e) {
            return -1;
        }
        return credentials.ignoredSignals();
    }

    /**
     * An F interpreter: the file opened when the rules were loaded, as the kernel opened it at registration, so
     * that one moved, replaced or deleted since is still the one that runs. No access check: the kernel does not
     * check an F interpreter again after registration.
     */
    @Override
    public Target fixedInterpreter(int tid, Rule rule) throws ExecFailure {
        Integer fd = fixed.descriptor(rule);
        if (fd == null) {
            return interpreter(tid, rule.interpreter());
        }
        return OpenExec.open(("/proc/self/fd/" + fd).getBytes(), -1, PathBytes.basename(rule.interpreter()), null,
                null);
    }

    /**
     * The path tracee {@code tid} execs an F interpreter by: /proc/OURPID/fd/N, the held file, wherever the tracee
     * can open that (our PID namespace, root and mounts, our credentials) or cannot reach the interpreter's own path
     * (a chroot, another mount namespace: there it would need /proc and our credentials, so both engines exec the
     * held file by a descriptor handed in instead: {@link #heldInterpreter}); else (a tracee that dropped its ids, or
     * in another PID namespace) its path, which names the held file until it is moved or replaced.
     */
    @Override
    public byte[] fixedInterpreterPath(int tid, Rule rule) {
        Integer fd = fixed.descriptor(rule);
        if (fd == null || (!reachesOurProc(tid) && sharesOurFiles(tid))) {
            return rule.interpreter();
        }
        return fixed.throughOurProc(fd);
    }

    /**
     * Our descriptor of the F interpreter {@code plan} execs, where tracee {@code tid} has a root or mounts of its
     * own (a chroot, another mount namespace): there its path is /proc/OURPID/fd/N ({@link #fixedInterpreterPath}),
     * which needs /proc mounted in its root, and an engine that can put the descriptor itself in the tracee execs
     * it by that instead, as the kernel runs the file it opened at registration. Only for an ELF interpreter the
     * kernel loads itself: any other handler (binfmt_script, the host's binfmt_misc) refuses a file exec'd by a
     * close-on-exec descriptor (ENOENT), and would be handed /dev/fd/N as its name, where the kernel's F rule runs
     * it by the registered path. -1 otherwise (the last rule is no F rule, its interpreter is not held or not such
     * an ELF, or the tracee sees our files and execs it by a path).
     */
    public int heldInterpreter(int tid, ExecPlan.Rewrite plan) {
        Rule last = plan.applied().isEmpty() ? null : plan.applied().getLast();
        if (last == null || !last.has(RuleFlag.F) || !Arch.host().loadsElf(plan.pathElfMachine())
                || sharesOurFiles(tid)) {
            return -1;
        }
        Integer fd = fixed.descriptor(last);
        if (fd == null || !Arrays.equals(plan.path(), fixed.throughOurProc(fd))) {
            return -1;
        }
        Integer handable = fixed.handable(last);
        return handable == null ? -1 : handable;
    }

    @Override
    public Target executable(ExecRequest r) {
        root = null; // a new exec: the tracee may have chroot'ed or changed credentials since the last one
        TraceeRoot at;
        try {
            at = rootOf(r.tid());
        } catch (ErrnoException e) {
            return null; // gone, or not ours to look at: the kernel decides
        }
        byte[] where;
        if (r.relativeToFd()) {
            if (r.path().length == 0 && (r.flags() & FileCalls.AT_EMPTY_PATH) == 0) {
                return null; // ENOENT, the kernel's to report
            }
            where = r.path().length == 0 ? PathBytes.procFd(r.tid(), r.dirfd())
                    : PathBytes.concat(PathBytes.procFd(r.tid(), r.dirfd()), "/".getBytes(), r.path());
        } else {
            if (r.path().length == 0) {
                return null;
            }
            where = null;
        }
        // For an fd exec with an empty path the kernel names the process after the dentry of the file it finally
        // runs (bprm->comm_from_dentry): that is the interpreter we exec, so the kernel's own choice stands (null).
        byte[] name = r.relativeToFd() && r.path().length == 0 ? null : PathBytes.basename(r.filename());
        boolean noFollow = (r.flags() & FileCalls.AT_SYMLINK_NOFOLLOW) != 0;
        try (TraceeRoot.Located file = where != null ? new TraceeRoot.Located(where, -1)
                : at.locate(r.path(), noFollow)) {
            if (noFollow && FileCalls.isSymlink(file.heldFd() >= 0 ? FileCalls.modeOf(file.heldFd())
                    : FileCalls.mode(FileCalls.AT_FDCWD, file.where(), FileCalls.AT_SYMLINK_NOFOLLOW))) {
                return null; // ELOOP, the kernel's to report
            }
            return open(file, name);
        } catch (ErrnoException | ExecFailure e) {
            return null; // not found, not executable, ...: the kernel fails it the same way without us
        }
    }

    @Override
    public Target interpreter(int tid, byte[] path) throws ExecFailure {
        if (path.length == 0) {
            throw new ExecFailure(Errno.ENOENT.code, "empty interpreter path");
        }
        try (TraceeRoot.Located file = rootOf(tid).locate(path, false)) {
            return open(file, PathBytes.basename(path));
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), new String(path) + ": " + Errno.describe(e.errno()));
        }
    }

    /** OpenExec with the tracee's credentials; a path through its /proc magic links is walked from ours. */
    private Target open(TraceeRoot.Located file, byte[] name) throws ErrnoException, ExecFailure {
        if (traceeCredentials == null || file.heldFd() >= 0) {
            return OpenExec.open(file.where(), file.heldFd(), name, traceeCredentials, credentials.ours());
        }
        try (ProcLinkPrefix ours = ProcLinkPrefix.of(file.where())) {
            return OpenExec.open(ours.where(), -1, name, traceeCredentials, credentials.ours());
        }
    }

    @Override
    public void check(Target target) throws ExecFailure {
        OpenExec.check(target); // unchecked only when opened with our credentials (see OpenExec.open)
    }

    @Override
    public boolean readableBy(int tid, Target target) {
        try {
            rootOf(tid);
        } catch (ErrnoException e) {
            return true;
        }
        return traceeCredentials == null || traceeCredentials.access(target.fd(), new byte[0], FileCalls.R_OK,
                FileCalls.AT_EMPTY_PATH, credentials.ours()) == 0;
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
}
