package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.policy.ExecFailure;

import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleFlag;
import io.jbinfmt.tracer.rules.RuleSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The load-time half of the F (fix-binary) flag: the kernel opens an F rule's interpreter when the rule is
 * registered and refuses the rule if it cannot. jbinfmt refuses it the same way. At exec time a session uses the
 * file it opened for tracees in a chroot or another mount namespace, and the path for the others
 * ({@link TraceeFiles}).
 */
public final class FixBinaryCheck {
    private FixBinaryCheck() {
    }

    /** An F rule whose interpreter cannot be opened, and a message saying so ("file:line: reason"). */
    public record Problem(Rule rule, String message) {
    }

    /** One problem per F rule whose interpreter the kernel could not open now. */
    public static List<Problem> problems(RuleSet rules) {
        int self = (int) ProcessHandle.current().pid();
        List<Problem> out = new ArrayList<>();
        try (TraceeFiles files = new TraceeFiles()) {
            for (Rule r : rules.inMatchOrder()) {
                if (!r.has(RuleFlag.F)) {
                    continue;
                }
                try {
                    files.release(files.interpreter(self, r.interpreter()));
                } catch (ExecFailure e) {
                    out.add(new Problem(r, r.source() + ": rule '" + r.name()
                            + "' has flag F but its interpreter cannot be opened: " + e.getMessage()));
                }
            }
        }
        return out;
    }
}
