package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.QemuTargets;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The zero-config rules: every foreign architecture whose qemu-user emulator is installed (but the host's own
 * family), with {@code -L} naming its sysroot when there is one ({@link QemuSysroot}), and wasm32-wasi modules
 * when a WASI runtime is found: wasmtime, wasmer, or node with the runner script jbinfmt ships.
 */
final class DefaultRules {
    static final RuleSource SOURCE = new RuleSource("(built-in defaults)", 0);
    private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm', 1, 0, 0, 0};

    private DefaultRules() {
    }

    static List<Rule> detected() {
        List<Rule> rules = new ArrayList<>();
        Set<String> native_ = hostFamily();
        for (QemuTargets.Target t : QemuTargets.ALL) {
            if (native_.contains(t.name())) {
                continue;
            }
            Path qemu = onPath("qemu-" + t.name());
            if (qemu != null) {
                rules.add(QemuSysroot.withSysroot(QemuTargets.rule(t, qemu.toString().getBytes(), SOURCE),
                        QemuSysroot.choose(t.name(), QEMU_LD_PREFIX, DefaultRules::isDirectory)));
            }
        }
        Rule wasm = wasmRule();
        if (wasm != null) {
            rules.add(wasm);
        }
        return rules;
    }

    private static Rule wasmRule() {
        for (String runtime : List.of("wasmtime", "wasmer")) {
            Path p = onPath(runtime);
            if (p != null) {
                return new Rule("wasm32-wasi", Rule.Kind.MAGIC, 0, WASM_MAGIC, null, p.toString().getBytes(),
                        EnumSet.noneOf(RuleFlag.class), SOURCE);
            }
        }
        String runners = System.getProperty("jbinfmt.runners");
        if (runners != null && onPath("node") != null) {
            Path runner = Path.of(runners, "wasm-node");
            if (Files.isExecutable(runner)) {
                return new Rule("wasm32-wasi", Rule.Kind.MAGIC, 0, WASM_MAGIC, null, runner.toString().getBytes(),
                        EnumSet.noneOf(RuleFlag.class), SOURCE);
            }
        }
        return null;
    }

    /** The qemu targets this host runs natively. */
    static Set<String> hostFamily() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> Set.of("x86_64", "i386");
            case "aarch64" -> Set.of("aarch64", "arm");
            case "riscv64" -> Set.of("riscv64");
            default -> Set.of();
        };
    }

    // Decoded, as PATH is: paths jbinfmt builds rules from are taken to be text.
    private static final String QEMU_LD_PREFIX = System.getenv("QEMU_LD_PREFIX");

    private static final String[] PATH_DIRS = System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":");

    private static boolean isDirectory(String path) {
        return new java.io.File(path).isDirectory(); // java.io.File, as onPath
    }

    /** The first executable {@code name} on PATH (java.io.File: this runs at start-up, before the first exec). */
    static Path onPath(String name) {
        for (String dir : PATH_DIRS) {
            java.io.File f = new java.io.File(dir.isEmpty() ? "." : dir, name);
            if (f.isFile() && f.canExecute()) {
                return Path.of(f.getAbsolutePath());
            }
        }
        return null;
    }
}
