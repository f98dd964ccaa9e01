package io.jbinfmt.bench;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The passthrough exec path: a shell forks and execs /bin/true in a loop, untraced and under jbinfmt with no
 * rule involved, once per engine ({@code engine} parameter: notify, ptrace). The difference per operation is what
 * intercepting costs each fork+exec: under ptrace the fork event, the child's first stop and the seccomp stop; under
 * notify one notification per exec and nothing for the fork. The loop is long so that starting the session is a
 * small share of it.
 * <p>
 * HOW TO RUN: {@code java -jar bench/target/benchmarks.jar PassthroughExec}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PassthroughExecBenchmark {
    static final int EXECS = 500;

    // not final: JMH must not constant-fold inputs (JMHSample_10)
    String script;
    Path dir;

    @Setup
    public void setup() throws Exception {
        dir = ExecLoops.workdir();
        script = ExecLoops.loop("/bin/true", EXECS);
    }

    @Benchmark
    @OperationsPerInvocation(EXECS)
    public int untraced() throws Exception {
        return ExecLoops.untraced(dir, script);
    }

    @Benchmark
    @OperationsPerInvocation(EXECS)
    public void traced(EngineChoice engine, Blackhole bh) throws Exception {
        bh.consume(ExecLoops.traced(dir, script, io.jbinfmt.tracer.rules.RuleSet.empty(), engine.parsed));
    }
}
