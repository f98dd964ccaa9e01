package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The default wasm32-wasi rule: which WASI runtime runs modules (wasmtime, else wasmer, else node with the
 * wasm-node runner jbinfmt ships), and the rule arguments that give a module the same directories under each.
 */
final class WasiRunners {
    static final String RULE_NAME = "wasm32-wasi";
    /** "\0asm" and binary format version 1: any wasm module. */
    private static final byte[] WASM_MAGIC = {0, 'a', 's', 'm', 1, 0, 0, 0};

    /**
     * What a module may open: the working directory (as ".", so relative paths work) and /tmp (where tests put
     * scratch files). Not "/": wasi-libc strips the leading '/' of every preopen name and picks the longest
     * matching one, so "/" and "." are both the empty prefix and one shadows the other (under wasm-node, which
     * used to preopen both, /tmp/x opened ./tmp/x); and wasmer's guest "/" is its own virtual root.
     */
    static final List<String> PREOPENS = List.of(".", "/tmp");

    /** A WASI runtime a default rule can use, in the order they are looked for. */
    enum Runtime {
        /**
         * {@code wasmtime run --dir=. --dir=/tmp -- MODULE ARGS}: --dir HOST[::GUEST] (wasmtime 14+; HOST alone
         * is also the guest name). {@code run} keeps a module named like a subcommand (./compile) from being taken
         * for one, and {@code --} one whose path starts with '-' from being taken for an option; what follows the
         * module is the module's (trailing_var_arg).
         */
        WASMTIME("wasmtime"),
        /**
         * {@code wasmer run --dir=. --dir=/tmp -- MODULE ARGS}: --dir takes "." or an absolute path, the guest
         * seeing it under the same name. Unlike wasmtime, wasmer takes options after the module for its own (its
         * docs pass module arguments after {@code --}), so the {@code --} is what lets a test's -v reach the module.
         */
        WASMER("wasmer"),
        /** examples/runners/wasm-node, a #! script for node, which takes --dir and -- the way wasmtime does. */
        NODE("wasm-node");

        final String command;

        Runtime(String command) {
            this.command = command;
        }

        /** The rule arguments, placed between the interpreter and the module's path. */
        List<String> arguments() {
            List<String> dirs = PREOPENS.stream().map(d -> "--dir=" + d).toList();
            List<String> args = new java.util.ArrayList<>();
            if (this != NODE) {
                args.add("run");
            }
            args.addAll(dirs);
            args.add("--");
            return args;
        }
    }

    private WasiRunners() {
    }

    /**
     * The wasm32-wasi rule for the first runtime found: wasmtime or wasmer on PATH ({@code onPath}), else node on
     * PATH with the executable wasm-node in {@code runnersDir} (null: jbinfmt was not given its runners); or null.
     */
    static Rule detect(Function<String, Path> onPath, String runnersDir, Predicate<Path> isExecutable) {
        for (Runtime r : List.of(Runtime.WASMTIME, Runtime.WASMER)) {
            Path p = onPath.apply(r.command);
            if (p != null) {
                return rule(r, p);
            }
        }
        if (runnersDir != null && onPath.apply("node") != null) {
            Path runner = Path.of(runnersDir, Runtime.NODE.command);
            if (isExecutable.test(runner)) {
                return rule(Runtime.NODE, runner);
            }
        }
        return null;
    }

    /** The rule running modules with {@code runtime}, installed at {@code interpreter}. */
    static Rule rule(Runtime runtime, Path interpreter) {
        Rule rule = new Rule(RULE_NAME, Rule.Kind.MAGIC, 0, WASM_MAGIC, null, interpreter.toString().getBytes(),
                EnumSet.noneOf(RuleFlag.class), BuiltInRules.SOURCE);
        for (String a : runtime.arguments()) {
            rule = rule.withExtraArg(a.getBytes());
        }
        return rule;
    }

    /** What {@code jbinfmt rules} says about a default wasm32-wasi rule. */
    static String note(Rule rule) {
        String interpreter = Path.of(new String(rule.interpreter())).getFileName().toString();
        return "wasm32-wasi modules through " + interpreter + "; they may open the working directory (as .) and "
                + "/tmp, nothing else";
    }
}
