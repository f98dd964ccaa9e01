package io.jbinfmt.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code jbinfmt completion}: a bash completion script (zsh loads it through bashcompinit). */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Prints a completion script for bash and zsh. Load it with:",
                "  source <(jbinfmt completion)",
                "(zsh: run 'autoload -U +X bashcompinit && bashcompinit' first)."})
final class CompletionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        System.out.print(AutoComplete.bash("jbinfmt", spec.parent().commandLine()));
    }
}
