package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.HostRefusedException.Refused;
import io.jbinfmt.tracer.sys.Errno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why a host refused ptrace or seccomp, in one line a user can act on: containers' seccomp profiles, Yama's
 * ptrace_scope and LSMs refuse these calls with the same EPERM, so the facts around the refusal pick the cause.
 * {@link #explain} is pure; {@link Facts#read} reads them from /proc.
 */
public final class HostRefusal {
    private HostRefusal() {
    }

    /**
     * The facts that tell the causes apart.
     *
     * @param yamaScope   kernel.yama.ptrace_scope, or -1 without Yama
     * @param seccompMode the Seccomp: line of our /proc/self/status (2: we already run under a filter), or -1
     * @param root        whether we run as root (with CAP_SYS_PTRACE, unless a container dropped it)
     * @param tracerPid   the TracerPid: line of our /proc/self/status: who traces jbinfmt itself (0: nobody)
     */
    public record Facts(int yamaScope, int seccompMode, boolean root, int tracerPid) {
        /** This process's facts. */
        public static Facts read(boolean root) {
            return new Facts(readInt(Path.of("/proc/sys/kernel/yama/ptrace_scope")), statusField("Seccomp:"), root,
                    statusField("TracerPid:"));
        }

        private static int readInt(Path p) {
            try {
                return Integer.parseInt(sysctl(p));
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }

        private static int statusField(String name) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(name)) {
                        return Integer.parseInt(line.substring(name.length()).trim());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // no such field on this kernel: unknown
            }
            return -1;
        }
    }

    /**
     * A sysctl's value, trimmed, read in one read(2): an integer sysctl reads nothing at an offset past 0, and
     * Files.readString reads a file that stats as empty one byte first (it got "9" for 96367).
     */
    static String sysctl(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            byte[] b = new byte[256];
            int n = in.read(b);
            return n < 0 ? "" : new String(b, 0, n).trim();
        }
    }

    /** The exception for {@code refused} failing with {@code errno}, explained with this process's facts. */
    public static HostRefusedException exception(Refused refused, int errno, boolean root) {
        return new HostRefusedException(refused, errno, explain(refused, errno, Facts.read(root)));
    }

    /** One line: what was refused, with which errno, the likely cause, and what to change. */
    public static String explain(Refused refused, int errno, Facts facts) {
        String filtered = "jbinfmt itself runs under a seccomp filter (Seccomp: 2 in /proc/self/status: a "
                + "container's seccomp profile, systemd's SystemCallFilter=, or a parent tracer)";
        return switch (refused) {
            case PTRACE -> {
                String what = "this host refuses ptrace, which jbinfmt needs to see execs (PTRACE_SEIZE of the "
                        + "command's process: " + Errno.describe(errno) + "): ";
                if (facts.tracerPid() > 0 && errno == Errno.EPERM.code) {
                    yield what + "jbinfmt itself is traced (TracerPid " + facts.tracerPid() + " in /proc/self/status:"
                            + " jbinfmt's ptrace engine, strace, a debugger), and so is every process it starts; a "
                            + "process has one tracer at most (jbinfmt under jbinfmt: give the outer one all the rules)";
                }
                if (facts.yamaScope() == 3) {
                    yield what + "Yama's kernel.yama.ptrace_scope is 3, which forbids all ptrace until reboot; "
                            + "boot with a ptrace_scope of 1 (or 2, as root)";
                }
                if (facts.seccompMode() == 2) {
                    yield what + filtered + " that refuses ptrace; allow ptrace there (docker/podman: "
                            + "--security-opt seccomp=unconfined or a profile that allows ptrace)";
                }
                if (facts.yamaScope() == 2 && !facts.root()) {
                    yield what + "Yama's kernel.yama.ptrace_scope is 2, which allows ptrace only with "
                            + "CAP_SYS_PTRACE; give jbinfmt CAP_SYS_PTRACE or set kernel.yama.ptrace_scope=1";
                }
                yield what + "a security module (AppArmor, SELinux) or a container without CAP_SYS_PTRACE "
                        + "refuses it; allow ptrace for jbinfmt (docker: --cap-add SYS_PTRACE)";
            }
            case NO_NEW_PRIVS, SECCOMP -> {
                String call = refused == Refused.SECCOMP ? "seccomp(SECCOMP_SET_MODE_FILTER)"
                        : "prctl(PR_SET_NO_NEW_PRIVS)";
                String what = "this host refuses seccomp filters, which jbinfmt needs to stop only at execs ("
                        + call + " in the command's process: " + Errno.describe(errno) + "): ";
                if (errno == Errno.EINVAL.code && refused == Refused.SECCOMP) {
                    yield what + "the kernel was built without seccomp filters (CONFIG_SECCOMP_FILTER); use a "
                            + "kernel that has them";
                }
                if (facts.seccompMode() == 2) {
                    yield what + filtered + " that refuses " + (refused == Refused.SECCOMP ? "seccomp()" : "prctl()")
                            + "; allow it there (Docker's default profile does)";
                }
                if (errno == Errno.EACCES.code) {
                    yield what + "an unprivileged process needs no_new_privs for a filter and it did not hold; "
                            + "run jbinfmt as root or report this as a bug";
                }
                yield what + "a security module or the container runtime refuses it; allow seccomp filters for "
                        + "jbinfmt";
            }
            case USER_NAMESPACE, ID_MAP, BINFMT_MISC, PID_NAMESPACE, PROC_MOUNT -> KernelRefusal.explain(refused, refused.name(), errno,
                    KernelRefusal.Facts.read(facts.root()));
        };
    }
}
