package io.jbinfmt.bench;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.policy.ExecChain;
import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.policy.ExecTargets;
import io.jbinfmt.tracer.policy.Target;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The pure policy: deciding one exec a rule rewrites, argv included, for 10 and 100k arguments. The files are
 * served from memory (the {@link ExecTargets} seam), so only the decision and the argv building are timed.
 * <p>
 * HOW TO RUN: {@code java -jar bench/target/benchmarks.jar ArgvBuild}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class ArgvBuildBenchmark {
    @Param({"10", "100000"})
    public int args;

    RuleSet rules;
    ExecRequest request;
    List<byte[]> argv;
    ExecTargets files;

    @Setup
    public void setup() throws Exception {
        Rule rule = RuleParser.parse(":pm:M::PMAGIC::/usr/bin/interp:".getBytes(), new RuleSource("bench", 0));
        rules = RuleSet.registered(List.of(rule));
        request = new ExecRequest(1, Arch.host().nativeAbi(), false, ExecRequest.AT_FDCWD, "./prog".getBytes(), 0, 0, 0);
        argv = new ArrayList<>();
        for (int i = 0; i < args; i++) {
            argv.add(("arg" + i).getBytes());
        }
        byte[] program = java.util.Arrays.copyOf("PMAGIC".getBytes(), Rule.HEADER_SIZE);
        byte[] elf = java.util.Arrays.copyOf(new byte[]{0x7f, 'E', 'L', 'F'}, Rule.HEADER_SIZE);
        files = new ExecTargets() {
            public Target executable(ExecRequest r) {
                return new Target(program, -1, "prog".getBytes());
            }

            public Target interpreter(int tid, byte[] path) throws ExecFailure {
                return new Target(elf, -1, "interp".getBytes());
            }

            public boolean closeOnExec(int tid, int fd) {
                return false;
            }

            public void release(Target target) {
            }
        };
    }

    @Benchmark
    public ExecPlan plan() {
        return ExecChain.plan(request, rules, files, () -> argv);
    }
}
