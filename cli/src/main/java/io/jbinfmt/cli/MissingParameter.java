package io.jbinfmt.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Picocli's usage error for a missing parameter, made here rather than where it is thrown. The verifier loads the
 * exception type a method throws; picocli's classes cannot be in the AOT cache (their class-file version is too
 * old for it), so JbinfmtCommand, verified at every start, would have the JVM open the jars to read it.
 */
final class MissingParameter {
    private MissingParameter() {
    }

    /** The error picocli gives when {@code spec}'s parameter {@code label} is missing. */
    static RuntimeException of(CommandSpec spec, String label) {
        return new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: '" + label + "'");
    }
}
