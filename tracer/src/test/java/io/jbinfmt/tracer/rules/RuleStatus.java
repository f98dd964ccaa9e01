package io.jbinfmt.tracer.rules;

import java.util.HexFormat;

/** A rule's entry as the kernel prints it in /proc/sys/fs/binfmt_misc/NAME (entry_status), for comparisons. */
final class RuleStatus {
    private RuleStatus() {
    }

    static String of(Rule r) {
        StringBuilder s = new StringBuilder("enabled\ninterpreter ")
                .append(RuleText.string(r.interpreter())).append("\nflags: ");
        for (RuleFlag f : RuleFlag.values()) {
            if (r.has(f)) {
                s.append(f.letter);
            }
        }
        s.append('\n');
        if (r.kind() == Rule.Kind.EXTENSION) {
            s.append("extension .").append(RuleText.string(r.magic())).append('\n');
        } else {
            s.append("offset ").append(r.offset()).append("\nmagic ").append(HexFormat.of().formatHex(r.magic()));
            if (r.mask() != null) {
                s.append("\nmask ").append(HexFormat.of().formatHex(r.mask()));
            }
            s.append('\n');
        }
        return s.toString();
    }
}
