package io.jbinfmt.tracer.policy;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.Errno;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides an exec the way the kernel's exec_binprm/search_binary_handler would with our rules registered in
 * binfmt_misc (consulted first, like the kernel's misc handler) and binfmt_script after them: follow the chain of
 * rewrites until a file no handler rewrites, at most 5 rewrites (the 6th fails with ELOOP).
 * <p>
 * Before any rule has applied, every failure is left to the kernel (Passthrough): it would fail the same way.
 * After the last rule, the rest of the chain is followed only to enforce what the kernel checks across the whole
 * chain (the rewrite limit; an open-binary rule must be the last rewrite), and the program the last rule names is
 * exec'd for real, so the kernel handles the remaining levels natively.
 * Example, with {@code :qemu-aarch64:M::\x7fELF...:...:/usr/bin/qemu-aarch64:} and no P:
 * <pre>
 *   execve("./hello", ["hello", "a"])  becomes  execve("/usr/bin/qemu-aarch64", ["/usr/bin/qemu-aarch64", "./hello", "a"])
 * </pre>
 */
public final class ExecChain {
    /** The most rewrites one exec may go through (exec_binprm: depth > 5 fails). */
    static final int MAX_REWRITES = 5;

    /** Reads the exec's argv from the tracee, only when a rule makes it necessary. */
    @FunctionalInterface
    public interface ArgvReader {
        List<byte[]> read() throws ExecFailure;
    }

    private ExecChain() {
    }

    public static ExecPlan plan(ExecRequest request, RuleSet rules, ExecTargets targets, ArgvReader argvReader) {
        if (rules.isEmpty()) {
            return new ExecPlan.Passthrough();
        }
        Target first = targets.executable(request);
        if (first == null) {
            return new ExecPlan.Passthrough();
        }
        List<Target> opened = new ArrayList<>(List.of(first));
        ExecPlan plan = null;
        try {
            plan = follow(request, rules, targets, argvReader, first, opened);
            return plan;
        } finally {
            Target keep = plan instanceof ExecPlan.Rewrite r ? r.openBinary() : null;
            for (Target t : opened) {
                if (t != keep) {
                    targets.release(t);
                }
            }
        }
    }

    /** One rewrite: by {@code rule} (null for a #! script) to {@code next}, from a file the kernel called {@code interp}. */
    private record Level(Rule rule, byte[] next, byte[] scriptArg, byte[] interp) {
    }

    private static ExecPlan follow(ExecRequest request, RuleSet rules, ExecTargets targets, ArgvReader argvReader,
                                   Target current, List<Target> opened) {
        byte[] interp = request.filename();
        byte[] comm = current.name();
        ArgvReader argvOnce = memoized(argvReader);
        boolean inaccessible = request.relativeToFd() && targets.closeOnExec(request.tid(), request.dirfd());
        List<Level> levels = new ArrayList<>();
        ExecPlan plan = null; // the rewrite as of the last rule seen; null until a rule applies
        Target executable = null;
        boolean haveExecFd = false;
        while (true) {
            Rule rule = rules.match(current.header(), interp);
            // only now does open_exec's verdict on it matter: a file no handler takes is run (or refused) by the
            // kernel just as it would be without us
            if ((rule != null || ScriptLine.isScript(current.header())) && !passesChecks(targets, current)) {
                return orPassthrough(plan); // the kernel fails its exec the same way
            }
            Level level;
            if (rule != null) {
                if (inaccessible) {
                    return new ExecPlan.Fail(Errno.ENOENT.code, "the program's /dev/fd path closes on exec");
                }
                level = new Level(rule, rule.interpreter(), null, interp);
            } else if (ScriptLine.isScript(current.header())) {
                ScriptLine line = ScriptLine.parse(current.header());
                if (line == null || inaccessible) {
                    return orPassthrough(plan); // the kernel fails it (ENOEXEC, ENOENT) just the same
                }
                level = new Level(null, line.interpreter(), line.argument(), interp);
            } else {
                // a native binary ends the chain; if the last rule named it, say what it is
                if (plan instanceof ExecPlan.Rewrite r && levels.getLast().rule() != null) {
                    return r.withPathElfMachine(elfMachine(current.header()));
                }
                return orPassthrough(plan);
            }
            levels.add(level);
            if (rule != null) {
                byte[] path = rule.has(RuleFlag.F) ? targets.fixedInterpreterPath(request.tid(), rule)
                        : rule.interpreter();
                plan = rewrite(levels, argvOnce, comm, request.filename(), path);
                if (plan instanceof ExecPlan.Fail) {
                    return plan;
                }
            }
            try {
                Target next = rule != null && rule.has(RuleFlag.F) ? targets.fixedInterpreter(request.tid(), rule)
                        : targets.interpreter(request.tid(), level.next());
                opened.add(next);
                if (rule != null && rule.has(RuleFlag.O)) {
                    haveExecFd = true;
                }
                if ((haveExecFd || levels.size() > MAX_REWRITES) && !passesChecks(targets, next)) {
                    return orPassthrough(plan); // as below: the kernel's open_exec of it fails before all that
                }
                if (haveExecFd) {
                    if (executable != null) {
                        return new ExecPlan.Fail(Errno.ENOEXEC.code,
                                "an open-binary (O) rule's interpreter must not be rewritten again");
                    }
                    try {
                        executable = targets.own(current); // the interpreter reads it as it likes
                    } catch (ExecFailure e) {
                        return new ExecPlan.Fail(e.errno(), e.getMessage());
                    }
                    if (executable != current) {
                        opened.add(executable);
                    }
                    if (plan instanceof ExecPlan.Rewrite r && rule != null) {
                        plan = r.withOpenBinary(executable, !targets.readableBy(request.tid(), executable));
                    }
                }
                current = next;
            } catch (ExecFailure e) {
                // Opening the interpreter failed: exec'ing it for real fails the same way, so let the kernel say so.
                // (An unchecked one is checked above where its failure would change the plan, else at the loop's
                // top once its header continues the chain; one that ends it is exec'd and fails just the same.)
                return orPassthrough(plan);
            }
            if (levels.size() > MAX_REWRITES) {
                if (plan == null) {
                    return new ExecPlan.Passthrough();
                }
                return new ExecPlan.Fail(Errno.ELOOP.code, "more than " + MAX_REWRITES + " interpreter levels");
            }
            interp = level.next();
        }
    }

    /** Whether {@code t} passes open_exec's checks, made now if they were not when it was opened. */
    private static boolean passesChecks(ExecTargets targets, Target t) {
        if (t.checked()) {
            return true;
        }
        try {
            targets.check(t);
            return true;
        } catch (ExecFailure e) {
            return false;
        }
    }

    private static ArgvReader memoized(ArgvReader reader) {
        List<List<byte[]>> cache = new ArrayList<>(1);
        return () -> {
            if (cache.isEmpty()) {
                cache.add(reader.read());
            }
            return cache.getFirst();
        };
    }

    private static ExecPlan orPassthrough(ExecPlan plan) {
        return plan != null ? plan : new ExecPlan.Passthrough();
    }

    /**
     * The exec that runs the interpreter of the last level's rule, found at {@code path}, with argv built level by
     * level.
     */
    private static ExecPlan rewrite(List<Level> levels, ArgvReader argvReader, byte[] comm, byte[] filename,
                                    byte[] path) {
        List<byte[]> argv;
        List<byte[]> callerArgv;
        try {
            callerArgv = argvReader.read();
            argv = new ArrayList<>(callerArgv);
        } catch (ExecFailure e) {
            return new ExecPlan.Fail(e.errno(), e.getMessage());
        }
        if (argv.isEmpty()) {
            argv.add(new byte[0]); // an exec with an empty argv gets argv[0] = "" (fs/exec.c)
        }
        boolean preserve = false;
        List<Rule> applied = new ArrayList<>();
        List<byte[]> env = new ArrayList<>();
        for (Level l : levels) {
            if (l.rule() != null && l.rule().has(RuleFlag.P)) {
                preserve = true;
            } else {
                argv.removeFirst();
            }
            List<byte[]> prefix = new ArrayList<>();
            prefix.add(l.next());
            if (l.rule() != null) {
                prefix.addAll(l.rule().extraArgs()); // jbinfmt extension: empty for kernel rules
            }
            if (l.scriptArg() != null) {
                prefix.add(l.scriptArg());
            }
            prefix.add(l.interp());
            argv.addAll(0, prefix);
            if (l.rule() != null) {
                applied.add(l.rule());
                env.addAll(l.rule().extraEnv());
            }
        }
        return new ExecPlan.Rewrite(path, List.copyOf(argv), List.copyOf(env), preserve, null, comm,
                filename, List.copyOf(applied), -1, List.copyOf(callerArgv), false);
    }

    /** e_machine of an ELF header (either byte order), or -1 when {@code header} is no ELF. */
    static int elfMachine(byte[] header) {
        if (header.length < 20 || header[0] != 0x7f || header[1] != 'E' || header[2] != 'L' || header[3] != 'F') {
            return -1;
        }
        int lo = header[18] & 0xff;
        int hi = header[19] & 0xff;
        return header[5] == 2 ? (lo << 8) | hi : (hi << 8) | lo; // EI_DATA 2: big-endian
    }
}
