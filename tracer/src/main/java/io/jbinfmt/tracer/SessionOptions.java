package io.jbinfmt.tracer;

import io.jbinfmt.tracer.exec.ExecPolicy;

import java.util.List;
import java.util.Objects;

/**
 * How a {@link Session} runs its command.
 *
 * @param policy      what to do at each exec
 * @param environment the command's environment as {@code NAME=value} byte strings, or null to inherit this
 *                    process's environment byte for byte
 */
public record SessionOptions(ExecPolicy policy, List<byte[]> environment) {

    public SessionOptions {
        Objects.requireNonNull(policy, "policy");
        environment = environment == null ? null : List.copyOf(environment);
    }

    /** Pass every exec through, inherit the environment. */
    public static SessionOptions defaults() {
        return new SessionOptions(ExecPolicy.PASSTHROUGH, null);
    }

    public SessionOptions withPolicy(ExecPolicy policy) {
        return new SessionOptions(policy, environment);
    }

    public SessionOptions withEnvironment(List<byte[]> environment) {
        return new SessionOptions(policy, environment);
    }
}
