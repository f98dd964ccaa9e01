package io.jbinfmt.tracer;

import io.jbinfmt.tracer.ptrace.StopObserver;
import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.rewrite.RewriteFaults;
import io.jbinfmt.tracer.rules.RuleSet;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How a {@link Session} runs its command.
 *
 * @param rules       the binfmt_misc rules applied to every exec of the tree
 * @param listener    told of every exec and what was decided (null for none; costs a look at every exec)
 * @param environment the command's environment as {@code NAME=value} byte strings, or null to inherit this
 *                    process's environment byte for byte
 * @param directory   the command's working directory, or null for this process's
 * @param passFds     descriptors above 2 that the command inherits (like a shell passes its open files); every
 *                    other descriptor of this process is closed in the command
 * @param redirects   descriptors of the command opened on files instead of inherited
 * @param observer    sees every stop before the tracer handles it (null for none): diagnostics, fault injection;
 *                    ptrace engine only (the notify engine has no stops to show)
 * @param engine      which engine intercepts the execs
 * @param faults      called before each step of every rewrite, notify and ptrace engines alike (tests inject
 *                    failures there)
 * @param engineChosen told which engine runs the command and why, once that is known (the notify engine may fall
 *                    back at the spawn) and before the command runs an instruction of its own, so whatever it
 *                    prints comes after (null for none; called on the tracer thread)
 */
public record SessionOptions(RuleSet rules, ExecListener listener, List<byte[]> environment, byte[] directory,
                             Set<Integer> passFds, List<Redirect> redirects, StopObserver observer, Engine engine,
                             RewriteFaults faults, Consumer<Engine.Choice> engineChosen) {

    public SessionOptions {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(engine, "engine");
        faults = faults == null ? RewriteFaults.NONE : faults;
        environment = environment == null ? null : List.copyOf(environment);
        passFds = passFds == null ? Set.of() : Set.copyOf(passFds);
        redirects = redirects == null ? List.of() : List.copyOf(redirects);
    }

    /**
     * No rules (every exec runs as asked), no listener, inherited environment and directory, only fds 0-2, the
     * engine from {@code $JBINFMT_ENGINE} (else {@link Engine#AUTO}).
     */
    public static SessionOptions defaults() {
        return new SessionOptions(RuleSet.empty(), null, null, null, Set.of(), List.of(), null,
                Engine.fromEnvironment(), RewriteFaults.NONE, null);
    }

    public SessionOptions withEngine(Engine engine) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withRules(RuleSet rules) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withListener(ExecListener listener) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withEnvironment(List<byte[]> environment) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withDirectory(byte[] directory) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withRedirects(List<Redirect> redirects) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withObserver(StopObserver observer) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withFaults(RewriteFaults faults) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withPassFds(Set<Integer> passFds) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }

    public SessionOptions withEngineChosen(Consumer<Engine.Choice> engineChosen) {
        return new SessionOptions(rules, listener, environment, directory, passFds, redirects, observer, engine, faults,
                engineChosen);
    }
}
