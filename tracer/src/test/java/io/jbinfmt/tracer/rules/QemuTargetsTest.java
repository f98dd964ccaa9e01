package io.jbinfmt.tracer.rules;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QemuTargetsTest {
    static Rule rule(String name) {
        return QemuTargets.ALL.stream().filter(t -> t.name().equals(name))
                .map(t -> QemuTargets.rule(t, ("/usr/bin/qemu-" + name).getBytes(), new RuleSource("t", 0)))
                .findFirst().orElseThrow();
    }

    @Test
    void aarch64RuleIsTheOneDebianRegisters() throws Exception {
        Rule debian = RuleParser.parse((":qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00"
                + "\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff"
                + "\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-aarch64:").getBytes(), new RuleSource("t", 0));
        assertEquals(debian, rule("aarch64"));
    }

    @Test
    void theHostsOwnBinariesMatchOnlyTheHostsRule() throws Exception {
        byte[] header = Arrays.copyOf(Files.readAllBytes(Path.of("/bin/true")), Rule.HEADER_SIZE);
        assertTrue(rule("x86_64").matches(header, "/bin/true".getBytes()));
        for (QemuTargets.Target t : QemuTargets.ALL) {
            if (!t.name().equals("x86_64")) {
                assertFalse(rule(t.name()).matches(header, "/bin/true".getBytes()), t.name());
            }
        }
    }

    @Test
    void everyRuleRoundTripsThroughTheKernelSyntax() throws Exception {
        for (QemuTargets.Target t : QemuTargets.ALL) {
            Rule r = rule(t.name());
            assertEquals(r, RuleParser.parse(r.toRegisterString(), new RuleSource("t", 0)), t.name());
        }
    }
}
