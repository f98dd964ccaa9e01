package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.HostRefusedException.Refused;
import io.jbinfmt.tracer.sys.Errno;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.jbinfmt.tracer.HostRefusedException.Refused.NO_NEW_PRIVS;
import static io.jbinfmt.tracer.HostRefusedException.Refused.PTRACE;
import static io.jbinfmt.tracer.HostRefusedException.Refused.SECCOMP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one line a refusal gets: what was refused with which errno, the cause the facts point at, what to change. */
class HostRefusalTest {
    static final int EPERM = Errno.EPERM.code;
    static final int NO_YAMA = -1;
    static final int UNFILTERED = 0;
    static final int FILTERED = 2;
    static final int UNTRACED = 0;

    static String explain(Refused r, int errno, int yama, int seccomp, boolean root, int tracer) {
        String s = HostRefusal.explain(r, errno, new HostRefusal.Facts(yama, seccomp, root, tracer));
        assertFalse(s.contains("\n"), "one line: " + s);
        return s;
    }

    static final String PTRACE_REFUSED = "this host refuses ptrace, which jbinfmt needs to see execs (PTRACE_SEIZE "
            + "of the command's process: Operation not permitted (EPERM)): ";
    static final String TRACED = "jbinfmt itself is traced (TracerPid 4242 in /proc/self/status: jbinfmt's ptrace "
            + "engine, strace, a debugger), and so is every process it starts; a process has one tracer at most "
            + "(jbinfmt under jbinfmt: give the outer one all the rules)";
    static final String YAMA_3 = "Yama's kernel.yama.ptrace_scope is 3, which forbids all ptrace until reboot; boot "
            + "with a ptrace_scope of 1 (or 2, as root)";
    static final String UNDER_A_FILTER = "jbinfmt itself runs under a seccomp filter (Seccomp: 2 in /proc/self/status: "
            + "a container's seccomp profile, systemd's SystemCallFilter=, or a parent tracer) that refuses ";
    static final String YAMA_2 = "Yama's kernel.yama.ptrace_scope is 2, which allows ptrace only with CAP_SYS_PTRACE; "
            + "give jbinfmt CAP_SYS_PTRACE or set kernel.yama.ptrace_scope=1";
    static final String PTRACE_LSM = "a security module (AppArmor, SELinux) or a container without CAP_SYS_PTRACE "
            + "refuses it; allow ptrace for jbinfmt (docker: --cap-add SYS_PTRACE)";

    @Test
    void aTracedJbinfmtIsToldItHasATracerAlreadyWhateverElseHolds() {
        assertEquals(PTRACE_REFUSED + TRACED, explain(PTRACE, EPERM, 3, FILTERED, false, 4242),
                "a process has one tracer: nothing else matters until that one goes");
    }

    @Test
    void yamaScopeThreeComesBeforeASeccompFilter() {
        assertEquals(PTRACE_REFUSED + YAMA_3, explain(PTRACE, EPERM, 3, FILTERED, true, UNTRACED),
                "scope 3 forbids ptrace until reboot: nothing else helps");
    }

    @Test
    void aSeccompFilterAroundJbinfmtComesBeforeYamaScopeTwo() {
        assertEquals(PTRACE_REFUSED + UNDER_A_FILTER + "ptrace; allow ptrace there (docker/podman: --security-opt "
                + "seccomp=unconfined or a profile that allows ptrace)", explain(PTRACE, EPERM, 2, FILTERED, false,
                UNTRACED));
    }

    @Test
    void yamaScopeTwoIsTheCauseOnlyWithoutRoot() {
        assertEquals(PTRACE_REFUSED + YAMA_2, explain(PTRACE, EPERM, 2, UNFILTERED, false, UNTRACED), "not root");
        assertEquals(PTRACE_REFUSED + PTRACE_LSM, explain(PTRACE, EPERM, 2, UNFILTERED, true, UNTRACED),
                "root has CAP_SYS_PTRACE, which scope 2 asks for: something else refused");
    }

    @Test
    void withNoOtherFactASecurityModuleOrAMissingCapabilityIsBlamed() {
        assertEquals(PTRACE_REFUSED + PTRACE_LSM, explain(PTRACE, EPERM, NO_YAMA, UNFILTERED, true, UNTRACED));
        assertEquals(PTRACE_REFUSED + PTRACE_LSM, explain(PTRACE, EPERM, 1, UNFILTERED, false, UNTRACED),
                "scope 1 lets a parent trace its child");
    }

    @Test
    void aTracerPidMattersOnlyForEperm() {
        assertEquals("this host refuses ptrace, which jbinfmt needs to see execs (PTRACE_SEIZE of the command's "
                        + "process: No such process (ESRCH)): " + PTRACE_LSM,
                explain(PTRACE, Errno.ESRCH.code, NO_YAMA, UNFILTERED, true, 4242));
    }

    static final String SECCOMP_REFUSED = "this host refuses seccomp filters, which jbinfmt needs to stop only at "
            + "execs (seccomp(SECCOMP_SET_MODE_FILTER) in the command's process: ";
    static final String NO_NEW_PRIVS_REFUSED = "this host refuses seccomp filters, which jbinfmt needs to stop only "
            + "at execs (prctl(PR_SET_NO_NEW_PRIVS) in the command's process: ";
    static final String SECCOMP_LSM = "a security module or the container runtime refuses it; allow seccomp filters "
            + "for jbinfmt";

    @Test
    void einvalFromSeccompMeansAKernelWithoutFiltersEvenUnderAFilter() {
        assertEquals(SECCOMP_REFUSED + "Invalid argument (EINVAL)): the kernel was built without seccomp filters "
                        + "(CONFIG_SECCOMP_FILTER); use a kernel that has them",
                explain(SECCOMP, Errno.EINVAL.code, NO_YAMA, FILTERED, true, UNTRACED));
        assertEquals(NO_NEW_PRIVS_REFUSED + "Invalid argument (EINVAL)): " + SECCOMP_LSM,
                explain(NO_NEW_PRIVS, Errno.EINVAL.code, NO_YAMA, UNFILTERED, true, UNTRACED),
                "prctl's EINVAL says nothing about the kernel's seccomp");
    }

    @Test
    void aSeccompFilterAroundJbinfmtIsToldToAllowTheCallThatFailed() {
        assertEquals(SECCOMP_REFUSED + "Operation not permitted (EPERM)): " + UNDER_A_FILTER + "seccomp(); allow it "
                + "there (Docker's default profile does)", explain(SECCOMP, EPERM, NO_YAMA, FILTERED, true, UNTRACED));
        assertEquals(NO_NEW_PRIVS_REFUSED + "Operation not permitted (EPERM)): " + UNDER_A_FILTER + "prctl(); allow "
                + "it there (Docker's default profile does)", explain(NO_NEW_PRIVS, EPERM, NO_YAMA, FILTERED, false,
                UNTRACED));
    }

    @Test
    void eaccesMeansNoNewPrivsDidNotHold() {
        assertEquals(SECCOMP_REFUSED + "Permission denied (EACCES)): an unprivileged process needs no_new_privs for a "
                        + "filter and it did not hold; run jbinfmt as root or report this as a bug",
                explain(SECCOMP, Errno.EACCES.code, NO_YAMA, UNFILTERED, false, UNTRACED));
    }

    @Test
    void withNoOtherFactASecurityModuleOrTheRuntimeIsBlamedForSeccomp() {
        assertEquals(SECCOMP_REFUSED + "Operation not permitted (EPERM)): " + SECCOMP_LSM,
                explain(SECCOMP, EPERM, NO_YAMA, UNFILTERED, true, UNTRACED));
    }

    @Test
    void theKernelEnginesRefusalsAreNamedAfterTheirKindAndExplainedAsTheKernelEngineDoes() {
        String binfmt = "--engine kernel: this host refuses a private binfmt_misc (";
        String pidNs = "--engine kernel: this host refuses the tree a PID namespace of its own, which holds it where "
                + "no cgroup can (";
        String[][] prefixes = {
                {"USER_NAMESPACE", binfmt + "USER_NAMESPACE in the command's process"},
                {"ID_MAP", binfmt + "ID_MAP in the command's process"},
                {"BINFMT_MISC", binfmt + "BINFMT_MISC in the command's process"},
                {"PID_NAMESPACE", pidNs + "PID_NAMESPACE in the command's process"},
                {"PROC_MOUNT", pidNs + "PROC_MOUNT in the namespace's init"},
        };
        for (String[] p : prefixes) {
            String line = explain(Refused.valueOf(p[0]), EPERM, NO_YAMA, UNFILTERED, true, UNTRACED);
            assertTrue(line.startsWith(p[1] + ": Operation not permitted (EPERM)): "), p[0] + ": " + line);
        }
        assertEquals(3 + prefixes.length, Refused.values().length, "every kind is tested here");
    }

    @Test
    void theExceptionCarriesWhatWasRefusedItsErrnoAndTheLine() {
        HostRefusedException e = HostRefusal.exception(PTRACE, EPERM, true);
        assertEquals(PTRACE, e.refused());
        assertEquals(EPERM, e.callErrno());
        assertEquals(0, e.errno(), "the command was never exec'd");
        assertTrue(e.getMessage().startsWith(PTRACE_REFUSED), e.getMessage());
    }

    @Test
    void theFactsAreThisProcesssSeccompAndTracerPidLines() throws Exception {
        int seccomp = -1;
        int tracer = -1;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            String[] kv = line.split(":\\s+", 2);
            if (kv[0].equals("Seccomp")) {
                seccomp = Integer.parseInt(kv[1].trim());
            } else if (kv[0].equals("TracerPid")) {
                tracer = Integer.parseInt(kv[1].trim());
            }
        }
        HostRefusal.Facts facts = HostRefusal.Facts.read(false);
        assertEquals(seccomp, facts.seccompMode(), "Seccomp:");
        assertEquals(tracer, facts.tracerPid(), "TracerPid:");
        Path yama = Path.of("/proc/sys/kernel/yama/ptrace_scope");
        assertEquals(Files.exists(yama) ? Integer.parseInt(Files.readString(yama).trim()) : -1, facts.yamaScope());
    }
}
