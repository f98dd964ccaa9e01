package io.jbinfmt.cli;

import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.SpawnException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.jbinfmt.tracer.rules.RuleSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jbinfmt [OPTIONS] [--] COMMAND [ARGS...]}: run a command tree with binfmt_misc rules applied to every exec. */
@Command(name = "jbinfmt",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
                "Runs COMMAND, and every process it starts, with binfmt_misc rules applied in user space: "
                        + "whenever a process of the tree execs a file a rule recognises (by magic bytes or file "
                        + "extension), the rule's interpreter runs it, exactly as the kernel's binfmt_misc would "
                        + "do, without root and without touching /proc/sys/fs/binfmt_misc.",
                "",
                "Everything after COMMAND belongs to COMMAND: jbinfmt --rules r.conf ls --rules x runs `ls --rules x`."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "N:COMMAND's own exit status; 128+N when a signal N killed it",
                "124:a rules file or --rule is invalid (each error is printed as FILE:LINE:COL: reason)",
                "125:jbinfmt itself failed, or was used wrongly",
                "126:COMMAND was found but could not be executed",
                "127:COMMAND was not found"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  jbinfmt --rules qemu.conf -- make check",
                "  jbinfmt --rules wasm.conf -- ./run-tests.sh"})
public final class JbinfmtCommand implements Callable<Integer> {

    @Option(names = "--rules", paramLabel = "FILE",
            description = "A binfmt.d rules file (one :name:type:offset:magic:mask:interpreter:flags line per rule). "
                    + "Repeatable.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--rule", paramLabel = "LINE",
            description = "One register string, e.g. ':wasm:E::wasm::/usr/local/bin/wasm-run:'. Repeatable; "
                    + "applied after the --rules files.")
    List<String> ruleLines = new ArrayList<>();

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "The command to run, and its arguments.")
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

    @Override
    public Integer call() throws Exception {
        RuleSet ruleSet;
        try {
            ruleSet = RuleSources.load(rules, ruleLines);
        } catch (RuleSources.RulesException e) {
            System.err.println(e.getMessage());
            return ExitCodes.RULES;
        }
        List<byte[]> argv = commandBytes();
        SignalForwarding signals = SignalForwarding.install();
        Session session;
        try {
            LauncherHandoff handoff = LauncherHandoff.fromEnvironment();
            session = Session.start(SessionOptions.defaults()
                    .withRules(ruleSet)
                    .withEnvironment(handoff.environment())
                    .withPassFds(handoff.passFds()), argv);
        } catch (SpawnException e) {
            return spawnFailed(e);
        }
        try (session) {
            signals.attach(session);
            ExitStatus status = session.waitFor();
            return status.shellStatus();
        } catch (SpawnException e) {
            return spawnFailed(e);
        }
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

    private static int spawnFailed(SpawnException e) {
        System.err.println("jbinfmt: " + e.getMessage());
        return e.errno() == io.jbinfmt.tracer.sys.Errno.ENOENT.code ? ExitCodes.NOT_FOUND : ExitCodes.NOT_EXECUTABLE;
    }
}
