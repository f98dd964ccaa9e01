package io.jbinfmt.bench;

import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Session start in a running JVM: from {@link Session#start} to the command running (clone, seize, the injected
 * setup syscalls, the command's exec), plus waiting for {@code true} to end. SingleShotTime, as a cold-ish path
 * (JMHSample_02); the JVM's own start-up is measured by bench/compare.sh instead.
 * <p>
 * HOW TO RUN: {@code java -jar bench/target/benchmarks.jar SessionStart}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 50)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SessionStartBenchmark {
    List<byte[]> command = List.of("/bin/true".getBytes());

    @Benchmark
    public ExitStatus startAndRunTrue() throws Exception {
        try (Session s = Session.start(SessionOptions.defaults(), command)) {
            return s.waitFor();
        }
    }
}
