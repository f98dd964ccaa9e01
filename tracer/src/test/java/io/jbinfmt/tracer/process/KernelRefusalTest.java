package io.jbinfmt.tracer.process;

import io.jbinfmt.tracer.sys.Errno;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel engine's refusals, one line each, naming the cause the facts point to. */
class KernelRefusalTest {
    static String explain(HostRefusal.Refused r, int errno, boolean root, int max, int clone, int apparmor) {
        return KernelRefusal.explain(r, "call", errno, new KernelRefusal.Facts(root, max, clone, apparmor, 0, "6.1.0"));
    }

    @Test
    void eachCauseIsNamed() {
        assertTrue(explain(HostRefusal.Refused.USER_NAMESPACE, Errno.ENOSPC.code, true, 0, -1, -1)
                .contains("user.max_user_namespaces is reached for this user or an enclosing namespace (it is 0"));
        assertTrue(explain(HostRefusal.Refused.USER_NAMESPACE, Errno.EPERM.code, false, 100, 0, -1)
                .contains("kernel.unprivileged_userns_clone=0"));
        assertTrue(explain(HostRefusal.Refused.USER_NAMESPACE, Errno.EPERM.code, true, 100, -1, -1)
                .contains("or a chroot: a chrooted process may not create one"));
        assertTrue(explain(HostRefusal.Refused.BINFMT_MISC, Errno.ENODEV.code, true, 100, -1, -1)
                .contains("only since Linux 6.7 (this kernel: 6.1.0)"));
        assertTrue(explain(HostRefusal.Refused.BINFMT_MISC, Errno.EPERM.code, false, 100, -1, 1)
                .contains("kernel.apparmor_restrict_unprivileged_userns=1"));
        assertTrue(explain(HostRefusal.Refused.ID_MAP, Errno.EPERM.code, false, 100, -1, 1)
                .contains("AppArmor"));
        for (HostRefusal.Refused r : new HostRefusal.Refused[]{HostRefusal.Refused.USER_NAMESPACE,
                HostRefusal.Refused.ID_MAP, HostRefusal.Refused.BINFMT_MISC}) {
            String line = explain(r, Errno.EPERM.code, true, 100, -1, -1);
            assertTrue(line.startsWith("--engine kernel: this host refuses a private binfmt_misc (call in the "
                    + "command's process: "), line);
            assertTrue(!line.contains("\n"), line);
        }
    }

    @Test
    void aRefusedPidNamespaceOrProcIsNamedWithTheWayOut() {
        String masked = explain(HostRefusal.Refused.PROC_MOUNT, Errno.EPERM.code, false, 100, -1, 0);
        assertTrue(masked.startsWith("--engine kernel: this host refuses the tree a PID namespace of its own, which "
                + "holds it where no cgroup can (call in the namespace's init: "), masked);
        assertTrue(masked.contains("hides parts of /proc"), masked);
        assertTrue(masked.endsWith("or use --engine notify or ptrace"), masked);
        assertTrue(explain(HostRefusal.Refused.PROC_MOUNT, Errno.EPERM.code, false, 100, -1, 1)
                .contains("kernel.apparmor_restrict_unprivileged_userns=1"));
        String full = explain(HostRefusal.Refused.PID_NAMESPACE, Errno.ENOSPC.code, false, 100, -1, -1);
        assertTrue(full.contains("(call in the command's process: "), full);
        assertTrue(full.contains("user.max_pid_namespaces is reached"), full);
        assertTrue(!full.contains("\n") && !masked.contains("\n"));
    }
}
