package io.jbinfmt.cli;

import io.jbinfmt.tracer.Warmup;
import picocli.CommandLine;

/** The jbinfmt command's entry point: parse, run, exit with the command's status. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        StartupTiming.mark("main");
        Warmup.inBackground(); // link the native calls meanwhile: it takes tens of ms in a fresh JVM
        RawArguments raw = RawArguments.fromProcSelf(args.length);
        JbinfmtCommand plain = FastArgs.parse(args, raw);
        if (plain != null) {
            exit(runPlain(plain));
        }
        CommandLine cli = JbinfmtCommand.commandLine(new JbinfmtCommand(raw));
        exit(cli.execute(args));
    }

    /**
     * Ends the JVM with {@code status}, as System.exit would but without its shutdown logging: Runtime.exit asks the
     * System.Logger machinery whether to log the exit, which loads ~30 classes and looks for a LoggerFinder service
     * in every jar, ~20 ms at the end of every run. jbinfmt registers no shutdown hook; what it wrote is flushed.
     */
    static void exit(int status) {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }

    /** Runs a plain run form read by {@link FastArgs}; returns its exit status. */
    static int runPlain(JbinfmtCommand plain) throws InterruptedException {
        try {
            return plain.runParsed();
        } catch (RuntimeException e) {
            // as picocli's execution-exception handler does on the other path: one line, no stack trace
            System.err.println("jbinfmt: " + e.getMessage());
            return ExitCodes.USAGE;
        }
    }
}
