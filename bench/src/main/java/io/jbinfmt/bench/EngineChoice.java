package io.jbinfmt.bench;

import io.jbinfmt.tracer.Engine;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The engine a traced benchmark runs, a JMH parameter of a state of its own: only the benchmarks that take this
 * state (those that start a session) run once per engine; their untraced and kernel baselines run once.
 * {@code -p engine=ptrace} picks one.
 */
@State(Scope.Benchmark)
public class EngineChoice {
    @Param({"notify", "ptrace"})
    public String engine;

    Engine parsed;

    @Setup
    public void parse() {
        parsed = Engine.parse(engine);
    }
}
