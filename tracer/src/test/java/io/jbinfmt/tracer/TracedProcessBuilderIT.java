package io.jbinfmt.tracer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ProcessBuilder-like API: rules, directory, environment, redirects, exec records. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TracedProcessBuilderIT {
    @TempDir
    Path tmp;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = Engine.class, names = {"PTRACE", "NOTIFY"})
    void theEngineIsChosenByName(Engine engine) throws Exception {
        TracedProcess started;
        try {
            started = new TracedProcessBuilder("sh", "-c", "exit 5").engine(engine).start();
        } catch (SpawnException e) {
            // Linux 6.0+ (and the guard, or a writable cgroup v2): facts of the host; where they lack, notify says why
            org.junit.jupiter.api.Assumptions.assumeFalse(engine == Engine.NOTIFY
                    && e.getMessage().startsWith("--engine notify: ") && e.errno() == 0,
                    "TracedProcessBuilderIT: the notify engine cannot run here, not applicable: " + e.getMessage());
            throw e;
        }
        try (TracedProcess p = started) {
            assertEquals(5, p.waitFor());
            assertEquals(engine, p.engine().engine());
            assertEquals("asked for", p.engine().why().split(";")[0]);
        }
    }

    @Test
    void runsWithRulesDirectoryEnvironmentAndRedirects() throws Exception {
        Path interp = Files.writeString(tmp.resolve("interp"), "#!/bin/sh\necho \"interp: $* in $(pwd) X=$X\"\nread line; echo \"stdin: $line\"; echo err >&2\n");
        Files.setPosixFilePermissions(interp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path prog = Files.writeString(tmp.resolve("prog.foo"), "data");
        Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path in = Files.writeString(tmp.resolve("in.txt"), "hello\n");
        File out = tmp.resolve("out.txt").toFile();
        File err = tmp.resolve("err.txt").toFile();
        TracedProcessBuilder b = new TracedProcessBuilder("sh", "-c", "./prog.foo a; exit 3")
                .rules(":foo:E::foo::" + interp + ":\n")
                .directory(tmp.toFile())
                .redirectInput(in.toFile())
                .redirectOutput(out)
                .redirectError(err)
                .recordExecs(true);
        b.environment().put("X", "42");
        try (TracedProcess p = b.start()) {
            assertEquals(3, p.waitFor());
            assertEquals("interp: ./prog.foo a in " + tmp + " X=42\nstdin: hello\n", Files.readString(out.toPath()));
            assertEquals("err\n", Files.readString(err.toPath()));
            assertEquals(Map.of("foo", 1L), p.rewritesPerRule());
            List<String> decisions = p.execs().stream().map(e -> new String(e.path()) + " " + e.decision()).toList();
            assertEquals("./prog.foo rewrite", decisions.get(1), decisions.toString());
            assertEquals(List.of(interp.toString(), "./prog.foo", "a"),
                    p.execs().get(1).argv().stream().map(String::new).toList());
        }
    }
}
