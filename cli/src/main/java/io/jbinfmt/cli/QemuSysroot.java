package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.Rule;

import java.util.List;
import java.util.function.Predicate;

/**
 * The sysroot a default qemu rule hands qemu as {@code -L DIR}, a rule argument, so that it still applies after
 * the command cleans its environment ({@code env -i}, test drivers) and QEMU_LD_PREFIX is gone. qemu reads its
 * options after its environment, so this -L also wins over a QEMU_LD_PREFIX set inside the tree.
 */
final class QemuSysroot {
    private QemuSysroot() {
    }

    /**
     * jbinfmt's own QEMU_LD_PREFIX when set and not empty, for every target and as given: it is what qemu itself
     * would use, and qemu applies it to whichever target it runs (one variable, one root); jbinfmt cannot tell a
     * custom sysroot's architecture from its name, and would otherwise drop the user's word silently. Else the
     * target's Debian cross root; else null, no -L (static programs need none).
     */
    static String choose(String target, String qemuLdPrefix, Predicate<String> isDirectory) {
        if (qemuLdPrefix != null && !qemuLdPrefix.isEmpty()) {
            return qemuLdPrefix;
        }
        return DebianCrossRoots.find(target, isDirectory);
    }

    /** {@code qemuRule} with the rule arguments {@code -L root}; as it is when {@code root} is null. */
    static Rule withSysroot(Rule qemuRule, String root) {
        return root == null ? qemuRule : qemuRule.withExtraArg("-L".getBytes()).withExtraArg(root.getBytes());
    }

    /**
     * What {@code jbinfmt rules} says about a default qemu rule: its target and the sysroot it passes, with where
     * that came from ({@code qemuLdPrefix} is jbinfmt's QEMU_LD_PREFIX), or that static programs need none.
     */
    static String note(Rule qemuRule, String qemuLdPrefix) {
        String target = qemuRule.name().substring("qemu-".length());
        List<byte[]> args = qemuRule.extraArgs();
        if (args.size() < 2) {
            return target + " programs through qemu-user; no sysroot (no Debian cross root, QEMU_LD_PREFIX unset): "
                    + "static programs only";
        }
        String root = new String(args.get(1));
        String from = root.equals(qemuLdPrefix) ? "QEMU_LD_PREFIX" : "Debian's cross root";
        return target + " programs through qemu-user; sysroot -L " + root + " (" + from + ")";
    }
}
