package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.QemuTargets;
import io.jbinfmt.tracer.rules.Rule;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The zero-config rules: every foreign architecture whose qemu-user emulator is installed (but the host's own
 * family), with {@code -L} naming its sysroot when there is one ({@link QemuSysroot}), wasm32-wasi modules
 * when a WASI runtime is found ({@link WasiRunners}), and Windows programs when wine is ({@link WineRule}).
 */
final class DefaultRules {

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
                rules.add(QemuSysroot.withSysroot(QemuTargets.rule(t, qemu.toString().getBytes(), BuiltInRules.SOURCE),
                        QemuSysroot.choose(t.name(), QEMU_LD_PREFIX, DefaultRules::isDirectory)));
            }
        }
        Rule wasm = WasiRunners.detect(DefaultRules::onPath, System.getProperty("jbinfmt.runners"),
                p -> p.toFile().isFile() && p.toFile().canExecute());
        if (wasm != null) {
            rules.add(wasm);
        }
        Path wine = onPath("wine");
        if (wine != null) {
            rules.add(WineRule.rule(wine));
        }
        return rules;
    }

    /** The one line {@code jbinfmt rules} prints above a built-in rule: what it runs and with what; else null. */
    static String note(Rule rule) {
        if (!rule.source().equals(BuiltInRules.SOURCE)) {
            return null;
        }
        if (rule.name().equals(WineRule.NAME)) {
            return WineRule.NOTE;
        }
        if (rule.name().equals(WasiRunners.RULE_NAME)) {
            return WasiRunners.note(rule);
        }
        return QemuSysroot.note(rule, QEMU_LD_PREFIX);
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
