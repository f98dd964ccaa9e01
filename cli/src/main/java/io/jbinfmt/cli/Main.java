package io.jbinfmt.cli;

import picocli.CommandLine;

/** The jbinfmt command's entry point: parse, run, exit with the command's status. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        CommandLine cli = JbinfmtCommand.commandLine(new JbinfmtCommand(RawArguments.fromProcSelf(args.length)));
        System.exit(cli.execute(args));
    }
}
