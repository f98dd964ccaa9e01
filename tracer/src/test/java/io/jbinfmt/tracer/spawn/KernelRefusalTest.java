package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.sys.Errno;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel engine's refusals, one line each, naming the cause the facts point to. */
class KernelRefusalTest {
    static String explain(HostRefusedException.Refused r, int errno, boolean root, int max, int clone, int apparmor) {
        return KernelRefusal.explain(r, "call", errno, new KernelRefusal.Facts(root, max, clone, apparmor, 0, "6.1.0",
                -1, 4096, null));
    }

    /** The facts are this host's whole sysctl values (a one-byte first read once gave "9" for 96367). */
    @Test
    void theFactsAreTheWholeSysctlValues() throws Exception {
        Process cat = new ProcessBuilder("cat", "/proc/sys/user/max_user_namespaces",
                "/proc/sys/kernel/osrelease").start();
        List<String> values = new String(cat.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, cat.waitFor());
        KernelRefusal.Facts facts = KernelRefusal.Facts.read(true);
        assertEquals(Integer.parseInt(values.get(0)), facts.maxUserNamespaces());
        assertEquals(values.get(1), facts.release());
    }

    @Test
    void eachCauseIsNamed() {
        assertTrue(explain(HostRefusedException.Refused.USER_NAMESPACE, Errno.ENOSPC.code, true, 0, -1, -1)
                .contains("user.max_user_namespaces is reached for this user or an enclosing namespace (it is 0"));
        assertTrue(explain(HostRefusedException.Refused.USER_NAMESPACE, Errno.EPERM.code, false, 100, 0, -1)
                .contains("kernel.unprivileged_userns_clone=0"));
        assertTrue(explain(HostRefusedException.Refused.USER_NAMESPACE, Errno.EPERM.code, true, 100, -1, -1)
                .contains("or a chroot: a chrooted process may not create one"));
        assertTrue(explain(HostRefusedException.Refused.BINFMT_MISC, Errno.ENODEV.code, true, 100, -1, -1)
                .contains("only since Linux 6.7 (this kernel: 6.1.0)"));
        assertTrue(explain(HostRefusedException.Refused.BINFMT_MISC, Errno.EPERM.code, false, 100, -1, 1)
                .contains("kernel.apparmor_restrict_unprivileged_userns=1"));
        assertTrue(explain(HostRefusedException.Refused.ID_MAP, Errno.EPERM.code, false, 100, -1, 1)
                .contains("AppArmor"));
        for (HostRefusedException.Refused r : new HostRefusedException.Refused[]{HostRefusedException.Refused.USER_NAMESPACE,
                HostRefusedException.Refused.ID_MAP, HostRefusedException.Refused.BINFMT_MISC}) {
            String line = explain(r, Errno.EPERM.code, true, 100, -1, -1);
            assertTrue(line.startsWith("--engine kernel: this host refuses a private binfmt_misc (call in the "
                    + "command's process: "), line);
            assertTrue(!line.contains("\n"), line);
        }
    }

    static KernelRefusal.Facts facts(boolean root, int max, long capEff, String unmapped) {
        return new KernelRefusal.Facts(root, max, -1, -1, 0, "6.18.0", capEff, 4096, unmapped);
    }

    @Test
    void aRefusedMapNamesTheRangeOrLimitItBroke() {
        IdMap parent = IdMap.parse("0 1000 1\n1 100000 65536\n");
        String outside = KernelRefusal.explainMap("write /proc/PID/uid_map", Errno.EPERM.code, "uid_map",
                IdMap.parse("0 0 4294967295\n"), parent, facts(true, 100, 0x1ffffffffffL, null));
        assertEquals("--engine kernel: this host refuses a private binfmt_misc (write /proc/PID/uid_map in the "
                + "command's process: Operation not permitted (EPERM)): the uid_map \"0 0 4294967295\" was refused: "
                + "its range \"0 0 4294967295\" maps ids 0-4294967294, which jbinfmt's own user namespace does not "
                + "map as one range (its uid_map: 0 1000 1, 1 100000 65536), and the kernel refuses any range that "
                + "reaches outside the parent's; use --engine notify or ptrace", outside);
        IdMap inside = parent.identity();
        String noSetgid = KernelRefusal.explainMap("write /proc/PID/gid_map", Errno.EPERM.code, "gid_map", inside,
                parent, facts(true, 100, 0x1ffffffffffL & ~(1L << 6), null));
        assertTrue(noSetgid.endsWith("the gid_map \"0 0 1, 1 1 65536\" was refused: jbinfmt runs as root without "
                + "CAP_SETGID in its user namespace (its CapEff is 1ffffffffbf), which a map of more than its own id "
                + "needs; give it back, or use --engine notify or ptrace"), noSetgid);
        String other = KernelRefusal.explainMap("write /proc/PID/uid_map", Errno.EPERM.code, "uid_map", inside,
                parent, facts(true, 100, 0x1ffffffffffL, null));
        assertTrue(other.endsWith("the new user namespace's identity map was refused (a security module?); use "
                + "--engine notify or ptrace"), other);
    }

    @Test
    void anUnmappedUserAndTheNestingLimitAreNamed() {
        String unmapped = KernelRefusal.explain(HostRefusedException.Refused.USER_NAMESPACE, "call", Errno.EPERM.code,
                facts(true, 100, -1, "uid 65534 (its uid_map: empty)"));
        assertTrue(unmapped.contains("jbinfmt's own user namespace does not map its uid 65534 (its uid_map: empty), "
                + "and the kernel lets only a user it maps make a user namespace"), unmapped);
        String deep = KernelRefusal.explain(HostRefusedException.Refused.USER_NAMESPACE, "call", Errno.ENOSPC.code,
                facts(true, 2147483647, -1, null));
        assertTrue(deep.contains("a limit on user namespaces is reached: either they nest 33 deep here already, the "
                + "kernel's most (jbinfmt's kernel engine adds 2 levels below its own namespace"), deep);
        assertTrue(deep.contains("(it is 2147483647 here; raise it with sysctl user.max_user_namespaces=N)"), deep);
    }

    @Test
    void aRefusedPidNamespaceOrProcIsNamedWithTheWayOut() {
        String masked = explain(HostRefusedException.Refused.PROC_MOUNT, Errno.EPERM.code, false, 100, -1, 0);
        assertTrue(masked.startsWith("--engine kernel: this host refuses the tree a PID namespace of its own, which "
                + "holds it where no cgroup can (call in the namespace's init: "), masked);
        assertTrue(masked.contains("hides parts of /proc"), masked);
        assertTrue(masked.endsWith("or use --engine notify or ptrace"), masked);
        assertTrue(explain(HostRefusedException.Refused.PROC_MOUNT, Errno.EPERM.code, false, 100, -1, 1)
                .contains("kernel.apparmor_restrict_unprivileged_userns=1"));
        String full = explain(HostRefusedException.Refused.PID_NAMESPACE, Errno.ENOSPC.code, false, 100, -1, -1);
        assertTrue(full.contains("(call in the command's process: "), full);
        assertTrue(full.contains("either PID namespaces nest 32 deep here already, the kernel's most, or "
                + "user.max_pid_namespaces is reached"), full);
        assertTrue(!full.contains("\n") && !masked.contains("\n"));
    }
}
