package io.jbinfmt.tracer;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Whether each engine can run here, found out for real: a throwaway session per engine runs {@code /bin/true}
 * (under the kernel engine with one rule registered, so that unshare, the maps, the mount and register are all
 * tried). What a refusal says is the engine's own one-line reason.
 */
public final class EngineProbe {
    /** A rule the kernel probe registers: files named *.jbinfmt-probe, which nobody runs, go to /bin/true. */
    private static final Rule PROBE_RULE = new Rule("jbinfmt-probe", Rule.Kind.EXTENSION, 0,
            "jbinfmt-probe".getBytes(), null, "/bin/true".getBytes(), java.util.EnumSet.noneOf(RuleFlag.class),
            new RuleSource("jbinfmt check --engines", 0));

    private EngineProbe() {
    }

    /**
     * One engine's verdict.
     *
     * @param engine    the engine asked for ({@link Engine#AUTO}: which one it picks)
     * @param available whether a command ran under it
     * @param ran       the engine that ran (differs from {@code engine} for AUTO), or null when none did
     * @param why       the engine's reason, one line
     */
    public record Verdict(Engine engine, boolean available, Engine ran, String why) {
    }

    /** The verdicts for ptrace, notify, kernel and auto, in that order. */
    public static List<Verdict> probeAll() {
        List<Verdict> out = new ArrayList<>();
        for (Engine e : List.of(Engine.PTRACE, Engine.NOTIFY, Engine.KERNEL, Engine.AUTO)) {
            out.add(probe(e));
        }
        return out;
    }

    /** Runs {@code /bin/true} under {@code engine}. */
    public static Verdict probe(Engine engine) {
        RuleSet rules = engine == Engine.KERNEL ? RuleSet.registered(List.of(PROBE_RULE)) : RuleSet.empty();
        SessionOptions options = SessionOptions.defaults().withEngine(engine).withRules(rules);
        try (Session s = Session.start(options, List.of("/bin/true".getBytes()))) {
            ExitStatus status = s.waitFor();
            Engine.Choice c = s.engine();
            if (status.shellStatus() != 0) {
                return new Verdict(engine, false, c.engine(), "/bin/true exited " + status.shellStatus());
            }
            return new Verdict(engine, true, c.engine(), c.why());
        } catch (SpawnException e) {
            return new Verdict(engine, false, null, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Verdict(engine, false, null, "interrupted");
        }
    }
}
