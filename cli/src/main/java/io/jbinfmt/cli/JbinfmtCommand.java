package io.jbinfmt.cli;

import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.Warmup;
import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.outcome.ProcessOutcome;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.Errno;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jbinfmt [OPTIONS] [--] COMMAND [ARGS...]}: run a command tree with binfmt_misc rules applied to every exec. */
@Command(name = "jbinfmt",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        subcommands = {CheckCommand.class, RulesCommand.class, ReportCommand.class, DiffCommand.class,
                CompletionCommand.class},
        synopsisSubcommandLabel = "[check | rules | report | diff | completion]",
        description = {
                "Runs COMMAND, and every process it starts, with binfmt_misc rules applied in user space: "
                        + "whenever a process of the tree execs a file a rule recognises (by magic bytes or file "
                        + "extension), the rule's interpreter runs it, exactly as the kernel's binfmt_misc would "
                        + "do, without root and without touching /proc/sys/fs/binfmt_misc.",
                "",
                "Everything after COMMAND belongs to COMMAND: jbinfmt --rules r.conf ls --rules x runs `ls --rules x`. "
                        + "To run a program called check, rules, report, diff or completion, put -- before it "
                        + "(jbinfmt -- diff a b).",
                "",
                "With no --rules, --rule or --system, the built-in defaults apply: every installed qemu-user "
                        + "emulator for a foreign architecture, a WASI runtime for wasm32-wasi modules (wasmtime, "
                        + "wasmer, or node with the wasm-node runner), and wine for Windows programs (files "
                        + "starting with MZ, as Debian's wine-binfmt matches them) when wine is installed; "
                        + "`jbinfmt rules` shows them, each with a comment saying what it runs and with what. "
                        + "Each qemu rule passes qemu -L DIR, which survives env -i: "
                        + "$QEMU_LD_PREFIX if jbinfmt has it (for every target, as qemu applies it), else the "
                        + "target's Debian cross root with a lib directory (/usr/aarch64-linux-gnu, ...), else "
                        + "none. A wasm32-wasi module may open the working directory (as .) and /tmp, whichever "
                        + "runtime runs it (--dir=. --dir=/tmp). wine runs with the user's WINEPREFIX and "
                        + "WINEDEBUG: under a test driver, make the prefix and start wineserver -p and wineboot "
                        + "beforehand, and set WINEDEBUG=-all."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "N:COMMAND's own exit status; 128+N when a signal N killed it",
                "123:the tracer hit unexpected errors while COMMAND ran (each is logged with the tid, the stop and "
                        + "the registers; the last line gives COMMAND's own status): do not trust the result",
                "124:the rules are invalid (each error is printed as FILE:LINE:COL: reason)",
                "125:jbinfmt itself failed, was used wrongly, or this host refuses ptrace or seccomp",
                "126:COMMAND was found but could not be executed",
                "127:COMMAND was not found"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbinfmt --rules qemu.conf -- make check",
                "  jbinfmt --rule ':wasm:E::wasm::/usr/local/bin/wasm-run:' -- ./run-tests.sh",
                "  jbinfmt -v -- ./hello-aarch64          (defaults; log every exec to stderr)",
                "  jbinfmt check ./hello-aarch64 ./a.wasm  (which rule would run them, and how)",
                "  jbinfmt rules --system                  (the effective rules, as register lines)",
                "  jbinfmt --log run.jsonl --log-format json -- make check",
                "  jbinfmt report run.jsonl                (per rule: failures, wall and CPU time, slowest)",
                "  jbinfmt diff a.jsonl b.jsonl            (two runs: outcomes that differ, B/A time ratios)"})
public final class JbinfmtCommand implements Callable<Integer> {

    @Mixin
    RuleOptions ruleOptions = new RuleOptions();

    @Option(names = {"-v", "--verbose"}, description = "Log every exec of the tree to stderr: pid, path, decision, "
            + "rule and the argv that runs.")
    boolean verbose;

    @Option(names = "--log", paramLabel = "FILE", description = "Log every exec to FILE instead (appending), and "
            + "how each rewritten process ended: exit status or signal, wall and CPU time (and peak RSS under the "
            + "ptrace engine). `jbinfmt report` and `jbinfmt diff` read JSON logs. Under the notify engine this "
            + "puts each rewritten process in a cgroup of its own, for its CPU time (~0.4 ms per process measured here, "
            + "against ~0.05 ms under ptrace).")
    Path logFile;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one readable line per exec) or json (one JSON object per line). Default: text.")
    String logFormat;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "How execs are intercepted: notify (seccomp "
            + "user notification: only a rewritten exec is ptrace'd, so forks, threads and signals cost nothing and "
            + "programs in the tree may use ptrace, like strace and gdb; needs Linux 6.0+; for any user: a guard "
            + "process holds the tree), ptrace (every process is traced; works wherever ptrace does), kernel (the "
            + "rules in a private binfmt_misc in user namespaces of the command's: the kernel's own speed and "
            + "semantics, no --log or --stats; Linux 6.7+) or auto (notify where this host allows it, else ptrace; "
            + "never kernel; -v says which and why; `jbinfmt check --engines` what this host offers). Default: "
            + "$JBINFMT_ENGINE, else auto.")
    String engine;

    @Option(names = "--stats", description = "At exit, print to stderr how many execs were seen and rewritten "
            + "(per rule), per rule how many rewritten processes ended and failed and their wall and CPU time, "
            + "and the tracer's CPU time.")
    boolean stats;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The command to run, and its arguments.")
    List<String> command = new ArrayList<>();

    private final RawArguments raw;

    JbinfmtCommand(RawArguments raw) {
        this.raw = raw;
    }

    /** The command line with jbinfmt's conventions: options stop at COMMAND, exit codes as documented. */
    static CommandLine commandLine(JbinfmtCommand command) {
        return new CommandLine(command)
                .setStopAtPositional(true)
                .setExitCodeExceptionMapper(t -> ExitCodes.USAGE)
                .setParameterExceptionHandler((ex, args) -> {
                    ex.getCommandLine().getErr().println("jbinfmt: " + ex.getMessage());
                    ex.getCommandLine().getErr().println("Try 'jbinfmt --help' for more information.");
                    return ExitCodes.USAGE;
                })
                .setExecutionExceptionHandler((ex, cl, parsed) -> {
                    cl.getErr().println("jbinfmt: " + ex.getMessage());
                    return ExitCodes.USAGE;
                });
    }

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (command.isEmpty()) {
            // optional for picocli, so that subcommands are recognised, but a run needs a command
            throw MissingParameter.of(spec, "COMMAND");
        }
        return runParsed();
    }

    /** Whether the kernel engine is asked for, which checks no exec itself (a wrong name is reported later). */
    private boolean kernelEngineAsked() {
        try {
            return (engine != null ? Engine.parse(engine) : Engine.fromEnvironment()) == Engine.KERNEL;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Runs the parsed command line (from picocli or from {@link FastArgs}); returns the exit status. */
    int runParsed() throws InterruptedException {
        StartupTiming.mark("arguments parsed");
        Warmup.sessionChecksExecs(!kernelEngineAsked());
        RuleSet ruleSet = RuleSources.loadOrReport(ruleOptions);
        if (ruleSet == null) {
            return ExitCodes.RULES;
        }
        StartupTiming.mark("rules loaded");
        ExecLog.Format format = switch (logFormat) {
            case "text" -> ExecLog.Format.TEXT;
            case "json" -> ExecLog.Format.JSON;
            default -> {
                System.err.println("jbinfmt: --log-format must be text or json, not '" + logFormat + "'");
                yield null;
            }
        };
        if (format == null) {
            return ExitCodes.USAGE;
        }
        Engine chosen;
        try {
            chosen = engine != null ? Engine.parse(engine) : Engine.fromEnvironment();
        } catch (IllegalArgumentException e) {
            System.err.println("jbinfmt: " + (engine != null ? "--engine: " : Engine.ENVIRONMENT_VARIABLE + ": ")
                    + e.getMessage());
            return ExitCodes.USAGE;
        }
        String unseen = UnseenExecs.refusal(chosen, logFile != null, stats);
        if (unseen != null) {
            System.err.println(unseen);
            return ExitCodes.USAGE;
        }
        PrintStream log = null;
        if (logFile != null) {
            try {
                log = new PrintStream(new FileOutputStream(logFile.toFile(), true), true);
            } catch (IOException e) {
                System.err.println("jbinfmt: " + logFile + ": cannot open log file: " + e.getMessage());
                return ExitCodes.USAGE;
            }
        } else if (verbose && chosen != Engine.KERNEL) { // the kernel engine sees no exec: -v names it only
            log = System.err;
        }
        ExecStats counts = stats ? new ExecStats() : null;
        ExecListener listener = combine(log == null ? null : new ExecLog(log, format), counts);

        List<byte[]> argv = commandBytes();
        SignalForwarding signals = SignalForwarding.install();
        LauncherHandoff handoff = LauncherHandoff.fromEnvironment();
        long start = System.nanoTime();
        Session session;
        try {
            InjectedFault fault = InjectedFault.fromSystemProperty();
            session = Session.start(SessionOptions.defaults()
                    .withEngine(chosen)
                    .withRules(ruleSet)
                    .withListener(listener)
                    .withEnvironment(handoff.environment())
                    .withPassFds(handoff.passFds())
                    .withObserver(fault == null ? null : fault.asObserver())
                    .withFaults(fault == null ? null : fault.asRewriteFaults())
                    .withEngineChosen(verbose ? JbinfmtCommand::printEngine : null), argv);
        } catch (SpawnException e) {
            return spawnFailed(e);
        }
        StartupTiming.mark("command started");
        try (session) {
            signals.attach(session);
            ExitStatus status = session.waitFor();
            StartupTiming.mark("command ended");
            if (counts != null) {
                counts.print(System.err, session.tracerCpuNanos(), System.nanoTime() - start);
            }
            return disturbedOr(session, status.shellStatus());
        } catch (SpawnException e) {
            return disturbedOr(session, spawnFailed(e)); // a tracer error may be why the command could not start
        } finally {
            if (log != null && log != System.err) {
                log.close();
            }
        }
    }

    private static ExecListener combine(ExecListener a, ExecListener b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return new ExecListener() {
            @Override
            public void onExec(ExecRequest request, ExecPlan plan) {
                a.onExec(request, plan);
                b.onExec(request, plan);
            }

            @Override
            public boolean wantsOutcomes() {
                return a.wantsOutcomes() || b.wantsOutcomes();
            }

            @Override
            public void onOutcome(ProcessOutcome outcome) {
                if (a.wantsOutcomes()) {
                    a.onOutcome(outcome);
                }
                if (b.wantsOutcomes()) {
                    b.onOutcome(outcome);
                }
            }
        };
    }

    private List<byte[]> commandBytes() {
        if (raw != null) {
            return raw.tail(command.size());
        }
        List<byte[]> out = new ArrayList<>();
        for (String s : command) {
            out.add(s.getBytes());
        }
        return out;
    }

    /** {@code own}, the command's status, unless the tracer hit errors: then 123, naming {@code own}. */
    /** -v's first line: before anything the command prints, since the command is still held when it is called. */
    private static void printEngine(Engine.Choice c) {
        System.err.println("jbinfmt: engine " + c.engine().spelling() + ": " + c.why());
    }

    private static int disturbedOr(Session session, int own) {
        if (!session.disturbed()) {
            return own;
        }
        // A test-suite runner must not take a result we may have corrupted for a pass.
        System.err.println("jbinfmt: the tracer hit unexpected errors (logged above) and the run may have "
                + "been disturbed: the command's status was " + own + "; exiting " + ExitCodes.DISTURBED);
        return ExitCodes.DISTURBED;
    }

    private static int spawnFailed(SpawnException e) {
        System.err.println("jbinfmt: " + e.getMessage());
        if (e.errno() == 0) {
            return ExitCodes.USAGE; // our own set-up failed (or the host refused ptrace/seccomp): not the command
        }
        return e.errno() == Errno.ENOENT.code ? ExitCodes.NOT_FOUND : ExitCodes.NOT_EXECUTABLE;
    }
}
