package io.jbinfmt.tracer.engine.kernel;

import io.jbinfmt.tracer.host.OwnedDirectory;

import io.jbinfmt.tracer.rules.KernelRuleForm;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel engine's rules as the kernel gets them ({@link KernelRuleForm}), with the wrapper scripts of rules
 * that need one written to a directory of this session's, readable and runnable by any uid the tree may take.
 * The directory is removed by {@link #close}; one left by a jbinfmt that was killed is removed by the next one
 * that makes one.
 */
public final class InterpreterWrappers implements AutoCloseable {
    private static final String PREFIX = "jbinfmt-wrappers-";

    private final List<KernelRuleForm> forms;
    private final OwnedDirectory dir;

    private InterpreterWrappers(List<KernelRuleForm> forms, OwnedDirectory dir) {
        this.forms = forms;
        this.dir = dir;
    }

    /**
     * The forms of {@code rules} in registration order, wrappers written under {@code parent} (java.io.tmpdir).
     *
     * @throws KernelRuleForm.Inexpressible for a rule the kernel cannot run as jbinfmt would
     */
    public static InterpreterWrappers write(RuleSet rules, Path parent) throws KernelRuleForm.Inexpressible,
            IOException {
        List<Rule> order = KernelRuleForm.registrationOrder(rules);
        boolean needed = order.stream().anyMatch(Rule::hasExtensions);
        OwnedDirectory owned = needed ? OwnedDirectory.create(parent, PREFIX) : null;
        Path dir = owned == null ? null : owned.path();
        InterpreterWrappers made = new InterpreterWrappers(new ArrayList<>(), owned);
        try {
            for (int i = 0; i < order.size(); i++) {
                Rule r = order.get(i);
                Path script = dir == null ? null : dir.resolve(Integer.toString(i)).toAbsolutePath();
                KernelRuleForm f = KernelRuleForm.of(r, script == null ? null : script.toString().getBytes());
                if (f.wrapper() != null) {
                    Files.write(script, f.wrapper());
                    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                made.forms.add(f);
            }
        } catch (KernelRuleForm.Inexpressible | IOException | RuntimeException e) {
            made.close();
            throw e;
        }
        return made;
    }

    /** The rules to register, in order. */
    public List<KernelRuleForm> forms() {
        return List.copyOf(forms);
    }

    /** Removes the wrappers. */
    @Override
    public void close() {
        if (dir != null) {
            dir.close();
        }
    }
}
