package io.jbinfmt.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The options that choose the rules, shared by the run command and by check and rules. */
final class RuleOptions {
    @Option(names = "--rules", paramLabel = "FILE",
            description = "A rules file: binfmt.d register lines (:name:type:offset:magic:mask:interpreter:flags), "
                    + "or a binfmt-support file (key value lines, as in /usr/share/binfmts). Repeatable.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--rule", paramLabel = "LINE",
            description = "One register string, e.g. ':wasm:E::wasm::/usr/local/bin/wasm-run:'. Repeatable; "
                    + "registered after the files.")
    List<String> lines = new ArrayList<>();

    @Option(names = "--system",
            description = "Also load the host's rules first: /etc/binfmt.d, /run/binfmt.d, /usr/local/lib/binfmt.d, "
                    + "/usr/lib/binfmt.d (systemd's precedence) and binfmt-support's /usr/share/binfmts. A rule there "
                    + "that the kernel would refuse (an F rule whose interpreter is missing) is skipped with a warning.")
    boolean system;

    @Option(names = "--no-defaults",
            description = "Do not use the built-in rules (qemu-user emulators, a WASI runtime and wine found on this "
                    + "machine), which apply when no --rules, --rule or --system is given.")
    boolean noDefaults;

    /** Whether any rule source was named: if not, the defaults apply. */
    boolean anySource() {
        return !files.isEmpty() || !lines.isEmpty() || system;
    }
}
