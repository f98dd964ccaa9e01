package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.QemuTargets;
import io.jbinfmt.tracer.rules.Rule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Which root a default qemu rule passes with -L, and how: QEMU_LD_PREFIX, else the Debian cross root, else none. */
class QemuSysrootTest {
    private static final Predicate<String> DEBIAN_AARCH64 = Set.of("/usr/aarch64-linux-gnu/lib")::contains;
    private static final Predicate<String> NOTHING = p -> false;

    @Test
    void theDebianCrossRootWhenNoPrefixIsSet() {
        assertEquals("/usr/aarch64-linux-gnu", QemuSysroot.choose("aarch64", null, DEBIAN_AARCH64));
    }

    @Test
    void anEmptyPrefixIsNoPrefix() {
        assertEquals("/usr/aarch64-linux-gnu", QemuSysroot.choose("aarch64", "", DEBIAN_AARCH64));
    }

    @Test
    void qemuLdPrefixWinsOverTheCrossRoot() {
        assertEquals("/opt/sysroot", QemuSysroot.choose("aarch64", "/opt/sysroot", DEBIAN_AARCH64));
    }

    @Test
    void qemuLdPrefixAppliesToEveryTargetAsGiven() {
        // as qemu itself applies it: no check that it exists or suits the target
        assertEquals("/opt/sysroot", QemuSysroot.choose("riscv64", "/opt/sysroot", NOTHING));
        assertEquals("/opt/sysroot", QemuSysroot.choose("hexagon", "/opt/sysroot", NOTHING));
    }

    @Test
    void noRootNoPrefixNoSysroot() {
        assertNull(QemuSysroot.choose("aarch64", null, NOTHING));
        assertNull(QemuSysroot.choose("riscv64", null, DEBIAN_AARCH64));
    }

    @Test
    void theRootBecomesTheRuleArgumentsDashLDir() {
        QemuTargets.Target aarch64 = QemuTargets.ALL.stream().filter(t -> t.name().equals("aarch64")).findFirst()
                .orElseThrow();
        Rule plain = QemuTargets.rule(aarch64, "/usr/bin/qemu-aarch64".getBytes(), BuiltInRules.SOURCE);
        Rule withRoot = QemuSysroot.withSysroot(plain, "/usr/aarch64-linux-gnu");
        assertEquals(List.of("-L", "/usr/aarch64-linux-gnu"), withRoot.extraArgs().stream().map(String::new).toList());
        assertEquals(List.of(), withRoot.extraEnv());
        assertSame(plain, QemuSysroot.withSysroot(plain, null));
    }

    @Test
    void theNoteSaysWhichSysrootAndWhereItCameFrom() {
        Rule plain = QemuTargets.rule(target("aarch64"), "/usr/bin/qemu-aarch64".getBytes(), BuiltInRules.SOURCE);
        assertEquals("aarch64 programs through qemu-user; sysroot -L /usr/aarch64-linux-gnu (Debian's cross root)",
                DefaultRules.note(QemuSysroot.withSysroot(plain, "/usr/aarch64-linux-gnu")));
        assertEquals("aarch64 programs through qemu-user; sysroot -L /opt/sysroot (QEMU_LD_PREFIX)",
                QemuSysroot.note(QemuSysroot.withSysroot(plain, "/opt/sysroot"), "/opt/sysroot"));
        assertEquals("aarch64 programs through qemu-user; no sysroot (no Debian cross root, QEMU_LD_PREFIX unset): "
                + "static programs only", QemuSysroot.note(plain, null));
    }

    @Test
    void aRuleFromAFileHasNoNote() {
        Rule fromFile = QemuTargets.rule(target("aarch64"), "/usr/bin/qemu-aarch64".getBytes(),
                new io.jbinfmt.tracer.rules.RuleSource("qemu.conf", 3));
        assertNull(DefaultRules.note(fromFile));
    }

    private static QemuTargets.Target target(String name) {
        return QemuTargets.ALL.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }
}
