package io.jbinfmt.bench;

import io.jbinfmt.tracer.rules.RuleSet;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The intercepted exec path: a shell execs f.noop in a loop, and a rule sends it to /bin/true. Under jbinfmt
 * (decode, probe the file, match, rewrite, watch the exit) against the kernel's own binfmt_misc doing the same
 * rewrite in a private user namespace, the physical limit. jbinfmt runs once per engine ({@code engine} parameter:
 * notify, ptrace). The counters {@code tracerCpuNanos} and {@code execs} (summed over an iteration, per engine) give
 * the tracer thread's CPU time per exec: the tracer is one thread, so this bounds how many execs per second one
 * session can serve. That includes each session's own start and end on the tracer thread (the spawn, the end of
 * the tree), which {@code emptySession} measures alone (the same loop, run no time: the shell's own exec only):
 * with the {@code sessions} counter, (tracerCpuNanos - sessions x its per-session CPU) / execs is the CPU an exec
 * adds.
 * <p>
 * HOW TO RUN: {@code java -jar bench/target/benchmarks.jar InterceptedExec}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class InterceptedExecBenchmark {
    static final int EXECS = 500;

    String script;
    String emptyScript;
    Path dir;
    RuleSet rules;

    /** Tracer CPU time and execs, summed per iteration and reported next to the timings. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class TracerCpu {
        public long tracerCpuNanos;
        public long execs;
        public long sessions;

        @Setup(Level.Iteration)
        public void reset() {
            tracerCpuNanos = 0;
            execs = 0;
            sessions = 0;
        }
    }

    @Setup
    public void setup() throws Exception {
        dir = ExecLoops.workdir();
        script = ExecLoops.loop("./f.noop", EXECS);
        emptyScript = ExecLoops.loop("./f.noop", 0);
        rules = ExecLoops.noopRules();
    }

    @Benchmark
    @OperationsPerInvocation(EXECS)
    public void jbinfmt(EngineChoice engine, TracerCpu cpu) throws Exception {
        cpu.tracerCpuNanos += ExecLoops.traced(dir, script, rules, engine.parsed);
        cpu.execs += EXECS;
        cpu.sessions++;
    }

    /** A session whose loop runs no time: what a session costs the tracer thread apart from its execs. */
    @Benchmark
    public void emptySession(EngineChoice engine, TracerCpu cpu) throws Exception {
        cpu.tracerCpuNanos += ExecLoops.traced(dir, emptyScript, rules, engine.parsed);
        cpu.sessions++;
    }

    @Benchmark
    @OperationsPerInvocation(EXECS)
    public int kernelBinfmtMisc() throws Exception {
        return ExecLoops.kernel(dir, script);
    }
}
