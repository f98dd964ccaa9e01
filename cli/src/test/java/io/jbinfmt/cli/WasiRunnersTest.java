package io.jbinfmt.cli;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.policy.ExecChain;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.lookup.TraceeFiles;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The default wasm32-wasi rule each WASI runtime gets: which runtime is chosen, and the exact argv it is run with.
 * wasmtime and wasmer are not installed where this was written (nor packaged in Debian 12): their argv is checked
 * here against their documented syntax, never run; the node runner is run end to end by WasiPreopensIT.
 */
class WasiRunnersTest {
    @TempDir
    Path tmp;

    @Test
    void wasmtimeGetsRunThePreopensAndDashDashBeforeTheModule() throws IOException {
        Rule rule = WasiRunners.rule(WasiRunners.Runtime.WASMTIME, Path.of("/usr/bin/wasmtime"));
        assertEquals(List.of("run", "--dir=.", "--dir=/tmp", "--"), args(rule));
        assertEquals(List.of(tmp + "/bin/wasmtime", "run", "--dir=.", "--dir=/tmp", "--", tmp + "/t.wasm", "-v", "x"),
                argvOf(WasiRunners.rule(WasiRunners.Runtime.WASMTIME, stubInterpreter("wasmtime")), "-v", "x"));
    }

    @Test
    void wasmerGetsRunThePreopensAndDashDashSoThatTheModulesOptionsStayItsOwn() throws IOException {
        Rule rule = WasiRunners.rule(WasiRunners.Runtime.WASMER, Path.of("/usr/bin/wasmer"));
        assertEquals(List.of("run", "--dir=.", "--dir=/tmp", "--"), args(rule));
        assertEquals(List.of(tmp + "/bin/wasmer", "run", "--dir=.", "--dir=/tmp", "--", tmp + "/t.wasm", "--help"),
                argvOf(WasiRunners.rule(WasiRunners.Runtime.WASMER, stubInterpreter("wasmer")), "--help"));
    }

    @Test
    void theNodeRunnerGetsTheSamePreopensWithoutRun() {
        Rule rule = WasiRunners.rule(WasiRunners.Runtime.NODE, Path.of("/opt/jbinfmt/runners/wasm-node"));
        assertEquals(List.of("--dir=.", "--dir=/tmp", "--"), args(rule));
        assertEquals("wasm32-wasi", rule.name());
        assertEquals("/opt/jbinfmt/runners/wasm-node", new String(rule.interpreter()));
    }

    @Test
    void everyRuntimeIsGivenTheWorkingDirectoryAndTmp() {
        for (WasiRunners.Runtime r : WasiRunners.Runtime.values()) {
            List<String> dirs = r.arguments().stream().filter(a -> a.startsWith("--dir=")).toList();
            assertEquals(List.of("--dir=.", "--dir=/tmp"), dirs, r.name());
        }
    }

    @Test
    void wasmtimeIsPreferredThenWasmerThenNode() {
        String runners = "/opt/jbinfmt/runners";
        Function<String, Path> all = onPath(Map.of("wasmtime", "/a/wasmtime", "wasmer", "/b/wasmer", "node", "/c/node"));
        assertEquals("/a/wasmtime", interpreter(WasiRunners.detect(all, runners, p -> true)));
        Function<String, Path> noWasmtime = onPath(Map.of("wasmer", "/b/wasmer", "node", "/c/node"));
        assertEquals("/b/wasmer", interpreter(WasiRunners.detect(noWasmtime, runners, p -> true)));
        Function<String, Path> nodeOnly = onPath(Map.of("node", "/c/node"));
        assertEquals(runners + "/wasm-node", interpreter(WasiRunners.detect(nodeOnly, runners, p -> true)));
    }

    @Test
    void nodeNeedsTheRunnerScript() {
        Function<String, Path> nodeOnly = onPath(Map.of("node", "/c/node"));
        assertNull(WasiRunners.detect(nodeOnly, null, p -> true), "no runners directory given");
        assertNull(WasiRunners.detect(nodeOnly, "/opt/jbinfmt/runners", p -> false), "runner not executable");
        assertNull(WasiRunners.detect(onPath(Map.of()), "/opt/jbinfmt/runners", p -> true), "no node");
    }

    @Test
    void theNoteNamesTheRuntimeAndWhatTheModuleMayOpen() {
        assertEquals("wasm32-wasi modules through wasmtime; they may open the working directory (as .) and /tmp, "
                        + "nothing else",
                WasiRunners.note(WasiRunners.rule(WasiRunners.Runtime.WASMTIME, Path.of("/usr/bin/wasmtime"))));
    }

    private static List<String> args(Rule rule) {
        return rule.extraArgs().stream().map(String::new).toList();
    }

    private static String interpreter(Rule rule) {
        return new String(rule.interpreter());
    }

    private static Function<String, Path> onPath(Map<String, String> installed) {
        return name -> installed.containsKey(name) ? Path.of(installed.get(name)) : null;
    }

    /** An executable named after the runtime (a copy of /bin/true: the policy only checks it can be exec'd). */
    private Path stubInterpreter(String name) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path stub = Files.copy(Path.of("/bin/true"), bin.resolve(name));
        stub.toFile().setExecutable(true);
        return stub;
    }

    /**
     * The argv jbinfmt's policy gives the interpreter when {@link #tmp}/t.wasm (a module header) is exec'd with
     * {@code args}: what {@code jbinfmt check} prints, computed the same way.
     */
    private List<String> argvOf(Rule rule, String... args) throws IOException {
        Path module = tmp.resolve("t.wasm");
        Files.write(module, new byte[]{0, 'a', 's', 'm', 1, 0, 0, 0});
        module.toFile().setExecutable(true);
        byte[] path = module.toString().getBytes();
        List<byte[]> argv = new java.util.ArrayList<>(List.of(path));
        for (String a : args) {
            argv.add(a.getBytes());
        }
        ExecRequest request = new ExecRequest((int) ProcessHandle.current().pid(), Arch.host().nativeAbi(), false,
                ExecRequest.AT_FDCWD, path, 0, 0, 0);
        ExecPlan plan = ExecChain.plan(request, RuleSet.registered(List.of(rule)), new TraceeFiles(), () -> argv);
        return ((ExecPlan.Rewrite) plan).argv().stream().map(String::new).toList();
    }
}
