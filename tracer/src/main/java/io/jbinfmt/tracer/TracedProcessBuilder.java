package io.jbinfmt.tracer;

import io.jbinfmt.tracer.policy.ExecListener;
import io.jbinfmt.tracer.rules.RuleFile;
import io.jbinfmt.tracer.rules.RuleFileException;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSetBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a command under jbinfmt the way {@link ProcessBuilder} starts one natively: command, rules, directory,
 * environment, redirects, then {@link #start()}. For JUnit extensions and build plugins.
 * <pre>{@code
 * TracedProcess p = new TracedProcessBuilder("make", "check")
 *         .rules(Path.of("qemu.conf"))
 *         .directory(new File("build"))
 *         .redirectOutput(new File("check.log"))
 *         .start();
 * int status = p.waitFor();
 * }</pre>
 */
public final class TracedProcessBuilder {
    private final List<String> command = new ArrayList<>();
    private final RuleSetBuilder rules = new RuleSetBuilder();
    private File directory;
    private final Map<String, String> environment = new LinkedHashMap<>(System.getenv());
    private final List<Redirect> redirects = new ArrayList<>();
    private boolean recordExecs;
    private boolean recordOutcomes;
    private ExecListener listener;
    private Engine engine = Engine.fromEnvironment();

    public TracedProcessBuilder(String... command) {
        this.command.addAll(List.of(command));
    }

    public TracedProcessBuilder(List<String> command) {
        this.command.addAll(command);
    }

    /** Replaces the command. */
    public TracedProcessBuilder command(String... command) {
        this.command.clear();
        this.command.addAll(List.of(command));
        return this;
    }

    /** Adds the rules of binfmt.d files, registered in the order given. */
    public TracedProcessBuilder rules(Path... files) throws IOException, RuleFileException {
        for (Path f : files) {
            rules.add(RuleFile.read(f));
        }
        return this;
    }

    /** Adds the rules of a binfmt.d text (one register line per line). */
    public TracedProcessBuilder rules(String text) throws RuleFileException {
        rules.add(RuleFile.parse(text.getBytes(StandardCharsets.UTF_8), "(rules text)"));
        return this;
    }

    public TracedProcessBuilder directory(File directory) {
        this.directory = directory;
        return this;
    }

    /** The command's environment, a mutable copy of this process's: change it before {@link #start()}. */
    public Map<String, String> environment() {
        return environment;
    }

    public TracedProcessBuilder redirectInput(File file) {
        redirects.add(new Redirect(0, file.getPath().getBytes(), Redirect.Mode.READ));
        return this;
    }

    public TracedProcessBuilder redirectOutput(File file) {
        redirects.add(new Redirect(1, file.getPath().getBytes(), Redirect.Mode.WRITE));
        return this;
    }

    public TracedProcessBuilder redirectError(File file) {
        redirects.add(new Redirect(2, file.getPath().getBytes(), Redirect.Mode.WRITE));
        return this;
    }

    /** Opens {@code fd} of the command on {@code file}, appending. */
    public TracedProcessBuilder appendTo(int fd, File file) {
        redirects.add(new Redirect(fd, file.getPath().getBytes(), Redirect.Mode.APPEND));
        return this;
    }

    /** Keeps every exec of the tree and its decision, for {@link TracedProcess#execs()}. */
    public TracedProcessBuilder recordExecs(boolean record) {
        this.recordExecs = record;
        return this;
    }

    /**
     * Keeps how each rewritten process ended, for {@link TracedProcess#outcomes()}. Costs something per rewritten
     * process (under the notify engine, a cgroup of its own): see {@link ExecListener#wantsOutcomes()}.
     */
    public TracedProcessBuilder recordOutcomes(boolean record) {
        this.recordOutcomes = record;
        return this;
    }

    /** Is told of every exec as it is decided (on the tracer thread: return quickly). */
    public TracedProcessBuilder listener(ExecListener listener) {
        this.listener = listener;
        return this;
    }

    /** Which engine intercepts the execs (default: {@code $JBINFMT_ENGINE}, else {@link Engine#AUTO}). */
    public TracedProcessBuilder engine(Engine engine) {
        this.engine = java.util.Objects.requireNonNull(engine);
        return this;
    }

    /** Starts the command. */
    public TracedProcess start() throws SpawnException, RuleFileException {
        RuleSet ruleSet = rules.build();
        List<byte[]> env = new ArrayList<>();
        environment.forEach((k, v) -> env.add((k + "=" + v).getBytes()));
        ExecRecorder recorder = new ExecRecorder(recordExecs, recordOutcomes, listener);
        SessionOptions options = SessionOptions.defaults()
                .withEngine(engine)
                .withRules(ruleSet)
                // the kernel engine sees no exec: it takes a listener only to refuse one asked for
                .withListener(engine == Engine.KERNEL && !recordExecs && !recordOutcomes && listener == null ? null
                        : recorder)
                .withEnvironment(env)
                .withDirectory(directory == null ? null : directory.getPath().getBytes())
                .withRedirects(redirects);
        List<byte[]> argv = command.stream().map(String::getBytes).toList();
        return new TracedProcess(Session.start(options, argv), recorder);
    }
}
