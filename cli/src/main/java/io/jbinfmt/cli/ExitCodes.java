package io.jbinfmt.cli;

/** jbinfmt's own exit codes; any other status is the command's. Chosen like env(1) and timeout(1). */
public final class ExitCodes {
    /** The tracer hit unexpected errors while the command ran: its result may be wrong. */
    public static final int DISTURBED = 123;
    /** A rules file or --rule line is invalid. */
    public static final int RULES = 124;
    /** jbinfmt was used wrongly (bad option), or failed itself before running the command. */
    public static final int USAGE = 125;
    /** The command was found but could not be executed. */
    public static final int NOT_EXECUTABLE = 126;
    /** The command was not found. */
    public static final int NOT_FOUND = 127;

    private ExitCodes() {
    }
}
