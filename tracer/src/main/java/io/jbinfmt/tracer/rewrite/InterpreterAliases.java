package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.host.OwnedDirectory;
import io.jbinfmt.tracer.policy.ExecPlan;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;

/**
 * Names under which a rewrite execs its interpreter so that the kernel itself names the new process as
 * binfmt_misc would (after the original program, not the interpreter): a symlink {@code DIR/K/NAME} to
 * interpreter K, in a directory of this session's. The kernel takes the process name from the basename of the
 * path exec'd; without the alias the new program would have to be made to call prctl(PR_SET_NAME), two more
 * stops per rewrite. Used only where it changes nothing else the new program can see: the interpreter is an ELF
 * program the kernel loads itself (a #! script, or a program a binfmt_misc rule of the host takes, would be
 * handed the alias's name as its argument), the tracee sees our file system, and name and target are plain
 * ASCII (the directory is made with java.nio, whose file names are Strings). AT_EXECFN is set by
 * {@link NewProgramFixup} either way. The directory is removed when the session ends; those of jbinfmts that
 * died without removing theirs are removed by the next one that makes one ({@link OwnedDirectory}). Used by the
 * tracer thread only.
 */
public final class InterpreterAliases implements AutoCloseable {
    private static final String PREFIX = "jbinfmt-names-";

    private final Arch arch;
    private final Path parent;
    private OwnedDirectory owned;
    private Path dir;
    /** Set when the directory cannot be made or used: every rewrite sets the name by prctl then. */
    private boolean unusable;
    private final Map<String, Integer> interpreters = new HashMap<>();
    /** The links made, by interpreter and name: a repeated rewrite costs a lookup. */
    private final Map<String, byte[]> made = new HashMap<>();

    /** Aliases in a directory made (on first use) under {@code parent}. */
    public InterpreterAliases(Arch arch, Path parent) {
        this.arch = arch;
        this.parent = parent;
    }

    /** Aliases under java.io.tmpdir. */
    public InterpreterAliases(Arch arch) {
        this(arch, Path.of(System.getProperty("java.io.tmpdir", "/tmp")));
    }

    /**
     * {@code plan}, exec'd by an alias whose basename is the process name to give (and with no name left to set),
     * where that is possible; else {@code plan} itself. {@code sharesOurFiles}: the tracee sees our root and
     * mounts.
     */
    public ExecPlan.Rewrite apply(ExecPlan.Rewrite plan, boolean sharesOurFiles) {
        if (unusable || !sharesOurFiles || plan.comm() == null || !arch.loadsElf(plan.pathElfMachine())) {
            return plan;
        }
        String target = ascii(plan.path());
        String name = ascii(plan.comm());
        if (target == null || name == null || !target.startsWith("/") || name.isEmpty() || name.equals(".")
                || name.equals("..")) {
            return plan;
        }
        String key = target + '\0' + name;
        byte[] alias = made.get(key);
        if (alias == null) {
            try {
                alias = makeAlias(target, name);
            } catch (IOException | RuntimeException e) {
                return plan; // the name is set by prctl instead
            }
            if (alias == null) {
                return plan;
            }
            made.put(key, alias);
        }
        return plan.execdAs(alias, null);
    }

    /** Makes the link NAME to {@code target} (the first for that interpreter makes its directory); null: no directory. */
    private byte[] makeAlias(String target, String name) throws IOException {
        if (dir == null && !makeDirectory()) {
            return null;
        }
        Integer k = interpreters.get(target);
        if (k == null) {
            k = interpreters.size();
            Path sub = Files.createDirectory(dir.resolve(Integer.toString(k)));
            Files.setPosixFilePermissions(sub, PosixFilePermissions.fromString("rwxr-xr-x"));
            interpreters.put(target, k);
        }
        Path alias = dir.resolve(Integer.toString(k)).resolve(name);
        Files.createSymbolicLink(alias, Path.of(target));
        return alias.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Makes the directory, readable and searchable by every tracee whatever its uid, on a mount that follows symlinks. */
    private boolean makeDirectory() {
        try {
            owned = OwnedDirectory.create(parent, PREFIX);
            dir = owned.path(); // removed by close() from here on
            int fd = FileCalls.open(FileCalls.AT_FDCWD, dir.toString().getBytes(StandardCharsets.US_ASCII),
                    FileCalls.O_PATH | FileCalls.O_DIRECTORY | FileCalls.O_CLOEXEC);
            try {
                if ((FileCalls.mountFlags(fd) & FileCalls.ST_NOSYMFOLLOW) != 0) {
                    unusable = true;
                }
            } finally {
                FileCalls.close(fd);
            }
        } catch (IOException | ErrnoException | RuntimeException e) {
            unusable = true;
        }
        return !unusable;
    }

    /** Removes the directory. */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
            owned = null;
            dir = null;
            made.clear();
            interpreters.clear();
        }
    }

    /** {@code b} as a String when it is printable ASCII (and so means the same bytes in any file name encoding). */
    private static String ascii(byte[] b) {
        for (byte c : b) {
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }
}
