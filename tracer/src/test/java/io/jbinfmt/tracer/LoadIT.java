package io.jbinfmt.tracer;

import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Many processes at once: nothing lost, every status right. The timeout is generous because it guards against
 * hangs, not slowness: a busy 2-core machine may take many times the usual ~10 s. {@link LoadSoakIT} repeats the
 * load to show the tracer's memory flat.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LoadIT {
    @TempDir
    Path tmp;

    static RuleSet rules() throws Exception {
        RuleSource src = new RuleSource("load", 0);
        return RuleSet.registered(List.of(
                RuleParser.parse(":noop:E::noop::/bin/true:".getBytes(), src),
                RuleParser.parse(":deep:E::deep::/bin/sh:".getBytes(), src)));
    }

    ExitStatus run(String script) throws Exception {
        return run(tmp, script);
    }

    /** Runs {@code sh -c script} in {@code dir} under a session with the two rules above. */
    static ExitStatus run(Path dir, String script) throws Exception {
        try (Session s = Session.start(SessionOptions.defaults().withRules(rules()).withDirectory(dir.toString().getBytes()),
                List.of("sh".getBytes(), "-c".getBytes(), script.getBytes()))) {
            ExitStatus st = s.waitFor();
            assertFalse(s.disturbed(), "the tracer logged errors");
            return st;
        }
    }

    static long peakRssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Test
    void sixtyFourWorkersTenThousandExecsNativeAndRewritten() throws Exception {
        Files.writeString(tmp.resolve("f.noop"), "x").toFile().setExecutable(true);
        String script = """
                worker() {
                    i=0
                    while [ $i -lt 78 ]; do
                        /bin/true || echo "native $1 $i" >> fail
                        ./f.noop || echo "rewritten $1 $i" >> fail
                        i=$((i+1))
                    done
                    echo "$1" >> done
                }
                for w in $(seq 64); do worker $w & done
                wait
                """;
        long before = peakRssKb();
        assertEquals(ExitStatus.exited(0), run(script));
        assertFalse(Files.exists(tmp.resolve("fail")), () -> "failed execs: " + read(tmp.resolve("fail")));
        assertEquals(64, Files.readAllLines(tmp.resolve("done")).size(), "every worker finished");
        System.out.printf("LoadIT: 64 workers, 9984 execs (4992 rewritten): peak RSS %d kB -> %d kB%n", before, peakRssKb());
    }

    @Test
    void makeWithManyParallelChildren() throws Exception {
        // make -k -j32 over 400 targets: each recipe makes a native and a rewritten exec; every tenth target's
        // rewritten program fails, and make must see exactly those 40 failures.
        Files.writeString(tmp.resolve("f.noop"), "x").toFile().setExecutable(true);
        Files.writeString(tmp.resolve("fail.deep"), "exit 1\n").toFile().setExecutable(true);
        StringBuilder mk = new StringBuilder("all:");
        for (int i = 0; i < 400; i++) {
            mk.append(" t").append(i);
        }
        mk.append("\n");
        for (int i = 0; i < 400; i++) {
            mk.append("t").append(i).append(":\n\t@/bin/true && ./").append(i % 10 == 0 ? "fail.deep" : "f.noop")
                    .append(" && touch out/$@\n");
        }
        Files.writeString(tmp.resolve("Makefile"), mk);
        Files.createDirectories(tmp.resolve("out"));
        assertEquals(ExitStatus.exited(2), run("make -k -j32 -s 2> make.err"));
        try (var out = Files.list(tmp.resolve("out"))) {
            assertEquals(360, out.count());
        }
        long failures = Files.readAllLines(tmp.resolve("make.err")).stream().filter(l -> l.contains("Error 1")).count();
        assertEquals(40, failures, () -> read(tmp.resolve("make.err")));
    }

    @Test
    void fiftyLevelsDeepThroughRewrittenExecs() throws Exception {
        // each level is a rewritten exec (rule deep -> /bin/sh) that waits for the next: 50 nested processes
        Files.writeString(tmp.resolve("rec.deep"), """
                n=$1
                if [ "$n" -gt 0 ]; then ./rec.deep $((n-1)); exit $?; fi
                exit 7
                """).toFile().setExecutable(true);
        assertEquals(ExitStatus.exited(7), run("./rec.deep 50"));
    }

    @Test
    void fiveHundredLiveProcesses() throws Exception {
        // every child's own exit status must come back to its parent through the tracer
        String script = """
                pids=""
                for i in $(seq 500); do (sleep 1; exit $((i % 7))) & pids="$pids $!"; done
                n=0; sum=0
                for p in $pids; do wait $p; sum=$((sum + $?)); n=$((n+1)); done
                echo "$n $sum" > count
                """;
        assertEquals(ExitStatus.exited(0), run(script));
        int expected = 0;
        for (int i = 1; i <= 500; i++) {
            expected += i % 7;
        }
        assertEquals("500 " + expected, Files.readString(tmp.resolve("count")).trim());
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}
