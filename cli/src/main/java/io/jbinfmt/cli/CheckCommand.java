package io.jbinfmt.cli;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.policy.ExecChain;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.policy.ScriptLine;
import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.Errno;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code jbinfmt check FILE...}: which rule would run each file, with which argv, or why none would. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows, for each FILE, what exec'ing it (as ./FILE would be exec'd from here) would do under "
                + "the rules: the rule that applies and the exact argv of the interpreter, or why no rule applies.",
                "Exits 1 if some FILE could not be run at all."})
final class CheckCommand implements Callable<Integer> {
    @Mixin
    RuleOptions ruleOptions = new RuleOptions();

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "The files to check.")
    List<String> files = List.of();

    @picocli.CommandLine.Option(names = "--engines", description = "Instead, say for each engine (ptrace, notify, "
            + "kernel) whether this host runs commands under it, and why not, by trying each; and which auto picks.")
    boolean engines;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (engines) {
            return EnginesReport.print(System.out);
        }
        if (files.isEmpty()) {
            throw MissingParameter.of(spec, "FILE");
        }
        RuleSet rules = RuleSources.loadOrReport(ruleOptions);
        if (rules == null) {
            return ExitCodes.RULES;
        }
        int self = (int) ProcessHandle.current().pid();
        boolean allRunnable = true;
        for (String file : files) {
            byte[] path = file.getBytes();
            ExecRequest request = new ExecRequest(self, Arch.host().nativeAbi(), false, ExecRequest.AT_FDCWD, path,
                    0, 0, 0);
            ExecPlan plan = ExecChain.plan(request, rules, new TraceeFiles(), () -> List.of(path));
            String verdict = switch (plan) {
                case ExecPlan.Rewrite w -> "rule " + w.applied().stream().map(Rule::name)
                        .collect(Collectors.joining(", then rule ")) + " runs: "
                        + w.argv().stream().map(ByteText::show).collect(Collectors.joining(" "))
                        + (w.preserveArgv0() ? "  (with AT_FLAGS_PRESERVE_ARGV0)" : "")
                        + (w.openBinary() != null ? "  (with the file as AT_EXECFD)" : "");
                case ExecPlan.Fail f -> {
                    allRunnable = false;
                    yield "fails with " + Errno.name(f.errno()) + ": " + f.why();
                }
                case ExecPlan.Passthrough p -> {
                    String why = nativeVerdict(Path.of(file));
                    if (why.startsWith("not")) {
                        allRunnable = false;
                    }
                    yield why;
                }
            };
            System.out.println(file + ": " + verdict);
        }
        return allRunnable ? 0 : 1;
    }

    /** What the kernel does with a file no rule claims. */
    private static String nativeVerdict(Path file) {
        if (!Files.exists(file)) {
            return "not found";
        }
        if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
            return "not executable (no rule consulted: the kernel refuses it first)";
        }
        byte[] header = new byte[Rule.HEADER_SIZE];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(header, 0, header.length);
            header = Arrays.copyOf(Arrays.copyOf(header, n), Rule.HEADER_SIZE);
        } catch (IOException e) {
            return "not readable: " + e.getMessage();
        }
        if (header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F') {
            return "no rule matches; the kernel runs it as a native ELF"
                    + (header[18] == 62 || header[18] == 3 ? "" : " (for another machine: it will fail with ENOEXEC)");
        }
        if (ScriptLine.isScript(header)) {
            ScriptLine line = ScriptLine.parse(header);
            return line == null ? "not runnable: a malformed #! line (ENOEXEC)"
                    : "no rule matches; a #! script the kernel runs with " + ByteText.show(line.interpreter());
        }
        return "not runnable: no rule matches and the kernel does not know the format (ENOEXEC)";
    }
}
