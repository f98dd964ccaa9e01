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
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * {@link ExecTargets} over /proc: the files an exec names, as the exec'ing tracee sees them. Composes the
 * concerns: {@link TraceeRoot} (path lookup in its root and mounts), {@link TraceeCredentials} (whose permissions
 * count), {@link OpenExec} (the kernel's open_exec checks and the header) and {@link FixedInterpreters} (F rules).
 * A tracee's root is read once per exec decision, which starts with {@link #executable}; its credentials (four
 * syscalls, as root) only once a rule or a #! line takes the program: the program is opened and its header read
 * with ours, and an exec no rule takes is the kernel's to check and run, whoever the tracee is.
 * Used by the tracer thread only.
 */
public final class TraceeFiles implements ExecTargets, AutoCloseable {
    private final TraceeCredentials credentials = new TraceeCredentials();
    private final FixedInterpreters fixed;
    /** Programs and interpreters held open with their headers, for the next exec of the same file. */
    private final SettledFiles settled;
    /** The tracee of the exec being decided: its root; its credentials when they are not ours (once read). */
    private TraceeRoot root;
    private FsCredentials traceeCredentials;
    private boolean credentialsRead;
    /**
     * Targets of this decision opened with our credentials, and where (null: through a descriptor): when the
     * tracee's are not ours, {@link #check} repeats the access along that path with its own.
     */
    private final Map<Target, Unchecked> unchecked = new IdentityHashMap<>();

    private record Unchecked(int tid, byte[] where) {
    }

    /** For deciding execs with no F rule in play (the check command). */
    public TraceeFiles() {
        this(RuleSet.empty());
    }

    /** Opens the interpreters of {@code rules}' F rules now; {@link #close} closes them. */
    public TraceeFiles(RuleSet rules) {
        this(rules, new SettledFiles());
    }

    TraceeFiles(RuleSet rules, SettledFiles settled) {
        this.fixed = new FixedInterpreters(rules);
        this.settled = settled;
    }

    /** Closes the F interpreters held open. */
    @Override
    public void close() {
        fixed.close();
        settled.close();
    }

    /** Tracee {@code tid}'s root, read at the start of this exec decision (or now, for another tracee). */
    private TraceeRoot rootOf(int tid) throws ErrnoException {
        if (root == null || root.tid() != tid) {
            root = null;
            credentialsRead = false;
            traceeCredentials = null;
            root = TraceeRoot.of(tid);
        }
        return root;
    }

    /**
     * Tracee {@code tid}'s credentials when they are not ours (null: ours, or we cannot take on others), read the
     * first time this decision needs them.
     */
    private FsCredentials credentialsOf(int tid) throws ErrnoException {
        rootOf(tid);
        if (!credentialsRead) {
            traceeCredentials = credentials.of(tid);
            credentialsRead = true;
        }
        return traceeCredentials;
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
            return r.reachesOurFiles() && r.sharesOurPids() && credentialsOf(tid) == null;
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
            credentialsOf(tid);
        } catch (ErrnoException e) {
            return -1;
        }
        return credentials.ignoredSignals();
    }

    /**
     * Tracee {@code tid}'s signal mask (bit n-1 for signal n), as read with its credentials for the current exec
     * decision; all ones when they were not read (then ask ptrace).
     */
    public long blockedSignals(int tid) {
        try {
            credentialsOf(tid);
        } catch (ErrnoException e) {
            return -1;
        }
        return credentials.blockedSignals();
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
                null, settled);
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
        unchecked.clear();
        settled.settle(); // no target of the last decision is in use now
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
            // with our credentials: whose they are matters only once a rule takes it (check)
            Target t = OpenExec.open(file.where(), file.heldFd(), name, null, null, settled);
            unchecked.put(t, new Unchecked(r.tid(), file.heldFd() >= 0 ? null : file.where()));
            return t;
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
            return open(tid, file, PathBytes.basename(path));
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), new String(path) + ": " + Errno.describe(e.errno()));
        }
    }

    /** OpenExec with the tracee's credentials; a path through its /proc magic links is walked from ours. */
    private Target open(int tid, TraceeRoot.Located file, byte[] name) throws ErrnoException, ExecFailure {
        FsCredentials as = credentialsOf(tid);
        if (as == null || file.heldFd() >= 0) {
            return OpenExec.open(file.where(), file.heldFd(), name, as, credentials.ours(), settled);
        }
        try (ProcLinkPrefix ours = ProcLinkPrefix.of(file.where())) {
            return OpenExec.open(ours.where(), -1, name, as, credentials.ours(), settled);
        }
    }

    /**
     * The rest of open_exec's checks for a target opened with our credentials: with ours where the tracee's are
     * ours, else with its own, along the path it named (a descriptor's file itself, where it was reached through
     * one), as {@link #open} checks an interpreter.
     */
    @Override
    public void check(Target target) throws ExecFailure {
        Unchecked u = unchecked.remove(target);
        FsCredentials as;
        try {
            as = u == null ? null : credentialsOf(u.tid());
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "credentials of " + u.tid() + ": " + Errno.describe(e.errno()));
        }
        if (as == null) {
            SettledFiles.Held held = settled.heldAt(target.fd());
            if (held != null) {
                OpenExec.checkHeld(target, held);
            } else {
                OpenExec.check(target);
            }
            return;
        }
        if (u.where() == null) {
            OpenExec.checkAs(target, target.fd(), new byte[0], as, credentials.ours());
            return;
        }
        try (ProcLinkPrefix ours = ProcLinkPrefix.of(u.where())) {
            OpenExec.checkAs(target, FileCalls.AT_FDCWD, ours.where(), as, credentials.ours());
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), new String(u.where()) + ": " + Errno.describe(e.errno()));
        }
    }

    /**
     * A descriptor of its own for a target whose descriptor we hold for later execs ({@link SettledFiles}): the
     * file opened again, as the kernel opens the program for each exec it hands it to.
     */
    @Override
    public Target own(Target target) throws ExecFailure {
        if (!settled.holds(target.fd())) {
            return target;
        }
        int fd;
        try {
            fd = FileCalls.open(FileCalls.AT_FDCWD, ("/proc/self/fd/" + target.fd()).getBytes(),
                    FileCalls.O_RDONLY | FileCalls.O_CLOEXEC | FileCalls.O_NONBLOCK);
        } catch (ErrnoException e) {
            throw new ExecFailure(e.errno(), "cannot open fd " + target.fd() + " again: "
                    + Errno.describe(e.errno()));
        }
        Target own = new Target(target.header(), fd, target.name(), target.checked());
        Unchecked u = unchecked.get(target);
        if (u != null) {
            unchecked.put(own, u);
        }
        return own;
    }

    @Override
    public boolean readableBy(int tid, Target target) {
        FsCredentials as;
        try {
            as = credentialsOf(tid);
        } catch (ErrnoException e) {
            return true;
        }
        return as == null || as.access(target.fd(), new byte[0], FileCalls.R_OK,
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
        unchecked.remove(target);
        if (!settled.holds(target.fd())) {
            FileCalls.close(target.fd());
        }
    }
}
