package io.jbinfmt.bench;

import io.jbinfmt.tracer.rules.QemuTargets;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pure policy: matching a 256-byte header against 2, 30 and 300 rules. The header is the host's own
 * /bin/true, which no rule claims, so every rule is tried: the worst case, paid at every exec when rules exist.
 * <p>
 * HOW TO RUN: {@code java -jar bench/target/benchmarks.jar RuleMatch}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class RuleMatchBenchmark {
    @Param({"2", "30", "300"})
    public int rules;

    RuleSet set;
    byte[] header;
    byte[] path;

    @Setup
    public void setup() throws Exception {
        List<Rule> list = new ArrayList<>();
        RuleSource src = new RuleSource("bench", 0);
        for (int i = 0; list.size() < rules; i++) {
            QemuTargets.Target t = QemuTargets.ALL.get(i % QemuTargets.ALL.size());
            if (t.name().equals("x86_64")) {
                continue;
            }
            list.add(i % 3 == 0
                    ? RuleParser.parse((":ext" + i + ":E::ext" + i + "::/bin/i:").getBytes(), src)
                    : renamed(QemuTargets.rule(t, "/bin/i".getBytes(), src), "r" + i));
        }
        set = RuleSet.registered(list);
        header = Arrays.copyOf(Files.readAllBytes(Path.of("/bin/true")), Rule.HEADER_SIZE);
        path = "/usr/bin/true".getBytes();
    }

    private static Rule renamed(Rule r, String name) {
        return new Rule(name, r.kind(), r.offset(), r.magic(), r.mask(), r.interpreter(), r.flags(), r.source());
    }

    @Benchmark
    public Rule match() {
        return set.match(header, path);
    }
}
