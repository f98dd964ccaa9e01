package io.jbinfmt.cli;

import io.jbinfmt.tracer.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind the image's AOT cache (run once at build time, under -XX:AOTCacheOutput): plain runs
 * through {@link Main}'s fast path under every engine, with the built-in defaults and with a rule that rewrites an
 * exec (200 in a row under the default engine), and one with a JSON exec log. A cache is made from one JVM's run, so this one JVM runs them all: a path left out would load and link
 * its classes from the jars at every start. Failures (an engine this host lacks) are only printed.
 */
public final class AotTraining {
    private static final String RULE_EXTENSION = "jbinfmt-train";

    private AotTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Warmup.inBackground(); // as Main does
        Path dir = Files.createTempDirectory("jbinfmt-train");
        Path foreign = dir.resolve("program." + RULE_EXTENSION); // rewritten to /bin/true by the rule
        Files.write(foreign, new byte[] {0});
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwx------"));
        String rule = ":jbinfmt-train:E::" + RULE_EXTENSION + "::/bin/true:";
        try {
            run("--", "/bin/true");
            // the rewrite path many times over, so its call sites and profiles are in the cache; the file holds no
            // program of the host's: only a rewrite makes the loop succeed, and the build fails without one
            int rewritten = run("--rule", rule, "--", "sh", "-c",
                    "i=0; while [ $i -lt 200 ]; do \"$1\"; /bin/true; i=$((i+1)); done", "sh", foreign.toString());
            for (String engine : List.of("notify", "ptrace", "kernel")) {
                run("--engine", engine, "--", "/bin/true");
                run("--engine", engine, "--rule", rule, "--", "sh", "-c", foreign + " && true");
            }
            // the exec log's writer (jackson-jr) would otherwise load and link at the first exec of every --log run
            run("--rule", rule, "--log", "/dev/null", "--log-format", "json", "--", "sh", "-c", foreign + " && true");
            if (rewritten != 0) {
                System.err.println("jbinfmt: training: the rewrite loop did not rewrite (exit " + rewritten + ")");
                System.exit(1);
            }
        } finally {
            Files.deleteIfExists(foreign);
            Files.deleteIfExists(dir);
        }
    }

    /** Runs jbinfmt with {@code args} in this JVM; returns its exit status. */
    private static int run(String... args) throws InterruptedException {
        List<byte[]> bytes = new ArrayList<>();
        for (String a : args) {
            bytes.add(a.getBytes());
        }
        JbinfmtCommand plain = FastArgs.parse(args, new RawArguments(bytes));
        int status = plain == null ? -1 : Main.runPlain(plain);
        System.err.println("jbinfmt: training: " + String.join(" ", args) + ": exit " + status);
        return status;
    }
}
