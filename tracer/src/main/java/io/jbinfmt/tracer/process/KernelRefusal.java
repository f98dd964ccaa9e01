package io.jbinfmt.tracer.process;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.sys.Errno;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why the kernel refused the kernel engine's private binfmt_misc, in one line a user can act on: the same errno
 * (EPERM above all) comes from a sysctl, a security module or an old kernel, so the facts around it pick the
 * cause. {@link #explain} is pure; {@link Facts#read} reads the facts from /proc.
 */
public final class KernelRefusal {
    /** binfmt_misc can be mounted in a user namespace from this release on. */
    public static final String FIRST_KERNEL = "6.7";

    private KernelRefusal() {
    }

    /**
     * The facts that tell the causes apart; -1 where this kernel has no such sysctl.
     *
     * @param root                    whether jbinfmt runs as root
     * @param maxUserNamespaces       user.max_user_namespaces
     * @param unprivilegedUsernsClone Debian's kernel.unprivileged_userns_clone
     * @param apparmorRestrict        Ubuntu's kernel.apparmor_restrict_unprivileged_userns
     * @param seccompMode             the Seccomp: line of our /proc/self/status (2: under a filter)
     * @param release                 the kernel's release (uname -r)
     */
    public record Facts(boolean root, int maxUserNamespaces, int unprivilegedUsernsClone, int apparmorRestrict,
                        int seccompMode, String release) {
        /** This host's facts. */
        public static Facts read(boolean root) {
            String release;
            try {
                release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
            } catch (IOException e) {
                release = "unknown";
            }
            return new Facts(root, readInt("/proc/sys/user/max_user_namespaces"),
                    readInt("/proc/sys/kernel/unprivileged_userns_clone"),
                    readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
                    HostRefusal.Facts.read(root).seccompMode(), release);
        }

        private static int readInt(String path) {
            try {
                return Integer.parseInt(Files.readString(Path.of(path)).trim());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }
    }

    /** The exception for {@code call} (one of the set-up's steps, as text) failing with {@code errno}. */
    public static HostRefusedException exception(HostRefusal.Refused refused, String call, int errno, boolean root) {
        return new HostRefusedException(refused, errno, explain(refused, call, errno, Facts.read(root)));
    }

    /** One line: what was refused, with which errno, the likely cause and what to change. */
    public static String explain(HostRefusal.Refused refused, String call, int errno, Facts facts) {
        String what = switch (refused) {
            case PID_NAMESPACE, PROC_MOUNT -> "--engine kernel: this host refuses the tree a PID namespace of its "
                    + "own, which holds it where no cgroup can (" + call + " in the "
                    + (refused == HostRefusal.Refused.PROC_MOUNT ? "namespace's init" : "command's process") + ": "
                    + Errno.describe(errno) + "): ";
            default -> "--engine kernel: this host refuses a private binfmt_misc (" + call + " in the command's "
                    + "process: " + Errno.describe(errno) + "): ";
        };
        String orCgroup = "run jbinfmt where it can have a cgroup of its own (as root, or in a delegated cgroup v2 "
                + "subtree: systemd-run --user --scope -p Delegate=yes), or use --engine notify or ptrace";
        String apparmor = "Ubuntu's AppArmor restriction on unprivileged user namespaces "
                + "(kernel.apparmor_restrict_unprivileged_userns=1) takes the namespace's rights; set it to 0 or give "
                + "jbinfmt an AppArmor profile that allows userns";
        String filtered = "jbinfmt itself runs under a seccomp filter (a container's profile) that refuses it; allow "
                + "unshare/mount there, or use --engine notify or ptrace";
        return what + switch (refused) {
            case USER_NAMESPACE -> {
                if (errno == Errno.ENOSPC.code) {
                    yield "user.max_user_namespaces is reached for this user or an enclosing namespace ("
                            + (facts.maxUserNamespaces() == 0 ? "it is 0: user namespaces are off"
                            : "it is " + facts.maxUserNamespaces() + " here") + "); raise it with sysctl "
                            + "user.max_user_namespaces=N, or use --engine notify or ptrace";
                }
                if (errno == Errno.EINVAL.code) {
                    yield "this kernel has no user namespaces (CONFIG_USER_NS); use --engine notify or ptrace";
                }
                if (!facts.root() && facts.unprivilegedUsernsClone() == 0) {
                    yield "unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0); set it to 1, "
                            + "run as root, or use --engine notify or ptrace";
                }
                if (facts.seccompMode() == 2) {
                    yield filtered;
                }
                // a chroot too: the kernel refuses a chrooted process a new user namespace
                yield "user namespaces are refused to this process (a security module, a container without "
                        + "CAP_SYS_ADMIN, or a chroot: a chrooted process may not create one); use --engine notify or "
                        + "ptrace";
            }
            case ID_MAP -> !facts.root() && facts.apparmorRestrict() == 1 ? apparmor
                    : "the new user namespace's identity map was refused (a security module?); use --engine notify "
                    + "or ptrace";
            case BINFMT_MISC -> {
                if (errno == Errno.ENOENT.code) {
                    yield "/proc/sys/fs/binfmt_misc does not exist: this kernel has no binfmt_misc "
                            + "(CONFIG_BINFMT_MISC); use --engine notify or ptrace";
                }
                if (!facts.root() && facts.apparmorRestrict() == 1 && errno == Errno.EPERM.code) {
                    yield apparmor;
                }
                if (facts.seccompMode() == 2 && errno == Errno.EPERM.code) {
                    yield filtered;
                }
                yield "binfmt_misc can be mounted in a user namespace only since Linux " + FIRST_KERNEL
                        + " (this kernel: " + facts.release() + "); use --engine notify or ptrace";
            }
            case PID_NAMESPACE -> {
                if (errno == Errno.ENOSPC.code) {
                    yield "user.max_pid_namespaces is reached for this user or an enclosing namespace; raise it "
                            + "with sysctl user.max_pid_namespaces=N, " + orCgroup;
                }
                if (facts.seccompMode() == 2) {
                    yield filtered;
                }
                yield "new PID namespaces are refused to this process (a security module?); " + orCgroup;
            }
            case PROC_MOUNT -> {
                if (!facts.root() && facts.apparmorRestrict() == 1 && errno == Errno.EPERM.code) {
                    yield apparmor;
                }
                if (facts.seccompMode() == 2 && errno == Errno.EPERM.code) {
                    yield filtered;
                }
                if (errno == Errno.EPERM.code) {
                    yield "this host hides parts of /proc (files or directories mounted over /proc entries, as "
                            + "containers mask /proc/kcore and the like), and the kernel then lets no user namespace "
                            + "mount a /proc of its own; the command would see the host's pids, so it is not run; "
                            + orCgroup;
                }
                yield "the namespace's /proc was refused; " + orCgroup;
            }
            default -> throw new IllegalArgumentException(refused + " is not the kernel engine's");
        };
    }
}
