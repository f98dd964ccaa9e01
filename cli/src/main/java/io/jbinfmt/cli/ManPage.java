package io.jbinfmt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.PrintStream;
import java.util.List;

/**
 * Writes jbinfmt(1) in troff from the same picocli model as --help, so the two never disagree. Run at build
 * time (src/image/build-image.sh) into the image's share/man/man1.
 */
public final class ManPage {
    private ManPage() {
    }

    public static void main(String[] args) {
        CommandLine root = JbinfmtCommand.commandLine(new JbinfmtCommand(null));
        write(root.getCommandSpec(), System.out);
    }

    static void write(CommandSpec spec, PrintStream out) {
        out.println(".TH JBINFMT 1 \"\" \"jbinfmt\" \"User Commands\"");
        out.println(".SH NAME");
        out.println("jbinfmt \\- run a command tree with binfmt_misc rules applied in user space");
        out.println(".SH SYNOPSIS");
        out.println(".B jbinfmt");
        out.println("[\\fIOPTIONS\\fR] [\\fB\\-\\-\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR...]");
        out.println(".br");
        out.println(".B jbinfmt");
        out.println("\\fBcheck\\fR | \\fBrules\\fR | \\fBreport\\fR | \\fBdiff\\fR | \\fBcompletion\\fR "
                + "[\\fIOPTIONS\\fR]...");
        out.println(".SH DESCRIPTION");
        paragraphs(spec.usageMessage().description(), out);
        options(spec.options(), out);
        out.println(".SH COMMANDS");
        for (var sub : spec.subcommands().entrySet()) {
            CommandSpec s = sub.getValue().getCommandSpec();
            out.println(".SS " + sub.getKey());
            paragraphs(s.usageMessage().description(), out);
            for (PositionalParamSpec p : s.positionalParameters()) {
                out.println(".TP");
                out.println(".I " + escape(p.paramLabel()) + (p.arity().max() > 1 ? "..." : ""));
                out.println(escape(String.join(" ", p.description())));
            }
            for (OptionSpec o : s.options()) {
                if (!spec.options().contains(o) && !o.usageHelp() && !o.versionHelp()) {
                    option(o, out);
                }
            }
            // report and diff have their own exit codes and examples; a page without them would not teach them
            if (!s.usageMessage().exitCodeList().isEmpty()) {
                out.println(".PP");
                out.println("Exit status of " + sub.getKey() + ":");
                exitCodes(s, out);
            }
            if (s.usageMessage().footer().length > 0) {
                out.println(".PP");
                out.println("Examples:");
                examples(s, out);
            }
        }
        out.println(".SH EXIT STATUS");
        exitCodes(spec, out);
        out.println(".SH EXAMPLES");
        examples(spec, out);
        out.println(".SH SEE ALSO");
        out.println("binfmt.d(5), update-binfmts(8), qemu(1); the kernel's Documentation/admin-guide/binfmt-misc.rst");
    }

    private static void exitCodes(CommandSpec spec, PrintStream out) {
        for (var e : spec.usageMessage().exitCodeList().entrySet()) {
            out.println(".TP");
            out.println(".B " + escape(e.getKey()));
            out.println(escape(e.getValue()));
        }
    }

    private static void examples(CommandSpec spec, PrintStream out) {
        out.println(".nf");
        for (String line : spec.usageMessage().footer()) {
            out.println(escape(line.strip()));
        }
        out.println(".fi");
    }

    private static void options(List<OptionSpec> options, PrintStream out) {
        out.println(".SH OPTIONS");
        for (OptionSpec o : options) {
            option(o, out);
        }
    }

    private static void option(OptionSpec o, PrintStream out) {
        out.println(".TP");
        String names = String.join(", ", o.names());
        out.println(".B " + escape(names) + (o.paramLabel().isEmpty() || o.arity().max() == 0 ? ""
                : " \\fI" + escape(o.paramLabel()) + "\\fR"));
        out.println(escape(String.join(" ", o.description())));
    }

    private static void paragraphs(String[] lines, PrintStream out) {
        for (String line : lines) {
            out.println(line.isEmpty() ? ".PP" : escape(line));
        }
    }

    private static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-").replace("%n", "");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
