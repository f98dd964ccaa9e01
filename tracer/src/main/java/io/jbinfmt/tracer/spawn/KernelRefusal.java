package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.HostRefusedException;
import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ProcessCalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why the kernel refused the kernel engine's private binfmt_misc, in one line a user can act on: the same errno
 * (EPERM above all) comes from a sysctl, a security module or an old kernel, so the facts around it pick the
 * cause. {@link #explain} and {@link #explainMap} are pure; {@link Facts#read} reads the facts from /proc.
 */
public final class KernelRefusal {
    /** binfmt_misc can be mounted in a user namespace from this release on. */
    public static final String FIRST_KERNEL = "6.7";
    /** Capability numbers (linux/capability.h) a map written from outside needs. */
    private static final int CAP_SETGID = 6;
    private static final int CAP_SETUID = 7;
    /** User namespaces below the initial one the kernel allows (create_user_ns: a parent's level above 32). */
    public static final int USER_NAMESPACE_LEVELS = 33;
    /** PID namespaces below the initial one the kernel allows (MAX_PID_NS_LEVEL). */
    public static final int PID_NAMESPACE_LEVELS = 32;

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
     * @param capEff                  the CapEff: line of our /proc/self/status (capabilities in our own user
     *                                namespace), or -1
     * @param pageSize                the kernel's page size: a map is written in less than one
     * @param unmapped                our effective uid or gid where our own namespace does not map it ("uid 65534
     *                                (its uid_map: empty)"), else null
     */
    public record Facts(boolean root, int maxUserNamespaces, int unprivilegedUsernsClone, int apparmorRestrict,
                        int seccompMode, String release, long capEff, long pageSize, String unmapped) {
        /** This host's facts. */
        public static Facts read(boolean root) {
            String release;
            try {
                release = HostRefusal.sysctl(Path.of("/proc/sys/kernel/osrelease"));
            } catch (IOException e) {
                release = "unknown";
            }
            return new Facts(root, readInt("/proc/sys/user/max_user_namespaces"),
                    readInt("/proc/sys/kernel/unprivileged_userns_clone"),
                    readInt("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
                    HostRefusal.Facts.read(root).seccompMode(), release, readCapEff(), readPageSize(), unmappedId());
        }

        /** Our effective uid or gid, if our own namespace does not map it (the kernel shows it as the overflow id). */
        private static String unmappedId() {
            try {
                long uid = Integer.toUnsignedLong(ProcessCalls.geteuid());
                IdMap uids = PrivateBinfmt.enclosingMap("uid_map");
                if (!uids.maps(uid)) {
                    return "uid " + uid + " (its uid_map: " + uids.summary() + ")";
                }
                long gid = PrivateBinfmt.effectiveGid();
                IdMap gids = PrivateBinfmt.enclosingMap("gid_map");
                return gids.maps(gid) ? null : "gid " + gid + " (its gid_map: " + gids.summary() + ")";
            } catch (IllegalStateException e) {
                return null;
            }
        }

        private static long readCapEff() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("CapEff:")) {
                        return Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // unknown
            }
            return -1;
        }

        /** The first mapping's KernelPageSize in /proc/self/smaps (in kB), else the smallest page of any arch. */
        private static long readPageSize() {
            try (var lines = Files.lines(Path.of("/proc/self/smaps"))) {
                return lines.filter(l -> l.startsWith("KernelPageSize:")).findFirst()
                        .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(4096L);
            } catch (IOException | RuntimeException e) {
                return 4096;
            }
        }

        private static int readInt(String path) {
            try {
                return Integer.parseInt(HostRefusal.sysctl(Path.of(path)));
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }
    }

    /** The exception for {@code call} (one of the set-up's steps, as text) failing with {@code errno}. */
    public static HostRefusedException exception(HostRefusedException.Refused refused, String call, int errno, boolean root) {
        return new HostRefusedException(refused, errno, explain(refused, call, errno, Facts.read(root)));
    }

    /**
     * The exception for writing {@code map} as the {@code file} (uid_map, gid_map) of a child of the namespace whose
     * map is {@code parent}, refused by {@code call} with {@code errno}.
     */
    public static HostRefusedException mapException(String call, int errno, boolean root, String file, IdMap map,
                                                    IdMap parent) {
        return new HostRefusedException(HostRefusedException.Refused.ID_MAP, errno,
                explainMap(call, errno, file, map, parent, Facts.read(root)));
    }

    /**
     * One line for a refused map: the range or limit it broke where it broke one (a range outside the parent's map,
     * too many ranges, too many bytes), else a capability root lacks in its own namespace, else what the facts point
     * to ({@link #explain}).
     */
    public static String explainMap(String call, int errno, String file, IdMap map, IdMap parent, Facts facts) {
        String what = "--engine kernel: this host refuses a private binfmt_misc (" + call + " in the command's "
                + "process: " + Errno.describe(errno) + "): the " + file + " \"" + map.summary() + "\" was refused: ";
        String broken = map.whyRefused(file, parent, facts.pageSize());
        if (broken != null) {
            return what + broken + "; use --engine notify or ptrace";
        }
        if (facts.root() && facts.capEff() >= 0 && errno == Errno.EPERM.code) {
            int needed = file.startsWith("uid") ? CAP_SETUID : CAP_SETGID;
            if ((facts.capEff() & (1L << needed)) == 0) {
                return what + "jbinfmt runs as root without " + (needed == CAP_SETUID ? "CAP_SETUID" : "CAP_SETGID")
                        + " in its user namespace (its CapEff is "
                        + Long.toHexString(facts.capEff()) + "), which a map of more than "
                        + "its own id needs; give it back, or use --engine notify or ptrace";
            }
        }
        return explain(HostRefusedException.Refused.ID_MAP, call, errno, facts);
    }

    /** One line: what was refused, with which errno, the likely cause and what to change. */
    public static String explain(HostRefusedException.Refused refused, String call, int errno, Facts facts) {
        String what = switch (refused) {
            case PID_NAMESPACE, PROC_MOUNT -> "--engine kernel: this host refuses the tree a PID namespace of its "
                    + "own, which holds it where no cgroup can (" + call + " in the "
                    + (refused == HostRefusedException.Refused.PROC_MOUNT ? "namespace's init" : "command's process") + ": "
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
                if (errno == Errno.ENOSPC.code && facts.maxUserNamespaces() == 0) {
                    yield "user.max_user_namespaces is reached for this user or an enclosing namespace (it is 0: "
                            + "user namespaces are off); raise it with sysctl user.max_user_namespaces=N, or use "
                            + "--engine notify or ptrace";
                }
                if (errno == Errno.ENOSPC.code) {
                    yield "a limit on user namespaces is reached: either they nest " + USER_NAMESPACE_LEVELS
                            + " deep here already, the kernel's most (jbinfmt's kernel engine adds 2 levels below "
                            + "its own namespace, and no process can see how deep that one is), or "
                            + "user.max_user_namespaces is reached for this user or an enclosing namespace (it is "
                            + facts.maxUserNamespaces() + " here; raise it with sysctl user.max_user_namespaces=N); "
                            + "run jbinfmt less deep, or use --engine notify or ptrace";
                }
                if (errno == Errno.EINVAL.code) {
                    yield "this kernel has no user namespaces (CONFIG_USER_NS); use --engine notify or ptrace";
                }
                if (errno == Errno.EPERM.code && facts.unmapped() != null) {
                    yield "jbinfmt's own user namespace does not map its " + facts.unmapped() + ", and the kernel "
                            + "lets only a user it maps make a user namespace (a namespace whose maps were never "
                            + "written, as by unshare --user without --map-root-user); write that namespace's maps "
                            + "first, or use --engine notify or ptrace";
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
                    yield "either PID namespaces nest " + PID_NAMESPACE_LEVELS + " deep here already, the "
                            + "kernel's most, or user.max_pid_namespaces is reached for this user or an enclosing "
                            + "namespace (raise it with sysctl user.max_pid_namespaces=N); " + orCgroup;
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
