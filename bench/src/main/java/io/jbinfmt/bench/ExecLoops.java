package io.jbinfmt.bench;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/** The shell loops the exec benchmarks time, and the three ways to run them: untraced, jbinfmt, kernel. */
final class ExecLoops {
    /** Rewrites *.noop files to /bin/true: a trivial interpreter, so the loop measures the exec path itself. */
    static final String NOOP_RULE = ":noop:E::noop::/bin/true:";

    private ExecLoops() {
    }

    static String loop(String program, int times) {
        return "i=0; while [ $i -lt " + times + " ]; do " + program + "; i=$((i+1)); done";
    }

    /** A directory with an executable f.noop. */
    static Path workdir() throws IOException {
        Path dir = Files.createTempDirectory("jbinfmt-bench");
        Path f = Files.writeString(dir.resolve("f.noop"), "not a real program\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    static RuleSet noopRules() throws Exception {
        return RuleSet.registered(List.of(RuleParser.parse(NOOP_RULE.getBytes(), new RuleSource("bench", 0))));
    }

    static int untraced(Path dir, String script) throws IOException, InterruptedException {
        return check(new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).inheritIO().start().waitFor());
    }

    /**
     * Runs the script under jbinfmt with {@code engine} (named, so a host that cannot run it fails the benchmark
     * instead of measuring the other one); returns the tracer's CPU nanoseconds.
     */
    static long traced(Path dir, String script, RuleSet rules, Engine engine) throws Exception {
        try (Session s = Session.start(SessionOptions.defaults().withEngine(engine).withRules(rules)
                .withDirectory(dir.toString().getBytes()), List.of("sh".getBytes(), "-c".getBytes(), script.getBytes()))) {
            if (s.engine().engine() != engine) {
                throw new IllegalStateException("asked for engine " + engine + ", got " + s.engine());
            }
            ExitStatus status = s.waitFor();
            check(status.shellStatus());
            return s.tracerCpuNanos();
        }
    }

    /** Runs the script in a private user+mount namespace whose own binfmt_misc has the rule registered. */
    static int kernel(Path dir, String script) throws IOException, InterruptedException {
        String setup = "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && printf '%s' '" + NOOP_RULE
                + "' > /proc/sys/fs/binfmt_misc/register && ";
        return check(new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", setup + script)
                .directory(dir.toFile()).inheritIO().start().waitFor());
    }

    private static int check(int status) {
        if (status != 0) {
            throw new IllegalStateException("benchmark loop failed with status " + status);
        }
        return status;
    }
}
