package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.sys.Errno;
import org.junit.jupiter.api.Test;

import static io.jbinfmt.tracer.HostRefusedException.Refused.NO_NEW_PRIVS;
import static io.jbinfmt.tracer.HostRefusedException.Refused.PTRACE;
import static io.jbinfmt.tracer.HostRefusedException.Refused.SECCOMP;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which cause the facts around a refusal point at, and that every explanation is one line. */
class HostRefusalTest {
    static final int EPERM = Errno.EPERM.code;

    static String explain(HostRefusedException.Refused r, int errno, int yama, int seccomp, boolean root) {
        return explain(r, errno, yama, seccomp, root, 0);
    }

    static String explain(HostRefusedException.Refused r, int errno, int yama, int seccomp, boolean root, int tracer) {
        String s = HostRefusal.explain(r, errno, new HostRefusal.Facts(yama, seccomp, root, tracer));
        assertFalse(s.contains("\n"), s);
        return s;
    }

    @Test
    void ptraceCauses() {
        assertTrue(explain(PTRACE, EPERM, 3, 2, true).contains("ptrace_scope is 3"), "Yama 3 wins: nothing else helps");
        assertTrue(explain(PTRACE, EPERM, 1, 2, true).contains("runs under a seccomp filter"));
        assertTrue(explain(PTRACE, EPERM, 2, 0, false).contains("ptrace_scope is 2"));
        assertTrue(explain(PTRACE, EPERM, 2, 0, true).contains("AppArmor"), "root has CAP_SYS_PTRACE for scope 2");
        assertTrue(explain(PTRACE, EPERM, -1, 0, true).contains("--cap-add SYS_PTRACE"));
        assertTrue(explain(PTRACE, EPERM, 1, 2, true, 4242).contains("jbinfmt itself is traced (TracerPid 4242"),
                "traced by an outer jbinfmt or strace: its children are, and one tracer is the most");
        assertTrue(explain(PTRACE, EPERM, -1, 0, true).startsWith("this host refuses ptrace, which jbinfmt needs "
                + "to see execs (PTRACE_SEIZE of the command's process: Operation not permitted (EPERM)): "));
    }

    @Test
    void seccompCauses() {
        assertTrue(explain(SECCOMP, Errno.EINVAL.code, -1, 0, true).contains("CONFIG_SECCOMP_FILTER"));
        assertTrue(explain(SECCOMP, EPERM, -1, 2, true).contains("refuses seccomp(); allow it there"));
        assertTrue(explain(NO_NEW_PRIVS, EPERM, -1, 2, false).contains("prctl(PR_SET_NO_NEW_PRIVS)"));
        assertTrue(explain(SECCOMP, Errno.EACCES.code, -1, 0, false).contains("no_new_privs"));
        assertTrue(explain(SECCOMP, EPERM, -1, 0, true).contains("security module"));
    }
}
