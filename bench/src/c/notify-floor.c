/*
 * The floors of the seccomp user-notification mechanism on this machine, for bench/compare.sh and bench/ab.py: the
 * least a supervisor can do.
 *   notify-floor COMMAND [ARGS...]
 * runs COMMAND under a filter that hands execve/execveat to it and answers every notification with CONTINUE at
 * once: no path read, no file opened, no rules, no ptrace. Whatever it costs over native is what the kernel's
 * round trip costs; jbinfmt's notify engine cannot pass an exec through for less.
 *   notify-floor --rewrite INTERPRETER COMMAND [ARGS...]
 * also rewrites every execve of an aarch64 ELF file (its header read by path: the decision) to
 * INTERPRETER PATH ARGS..., as a binfmt_misc rule without flags would, with the same three stops and the same calls
 * between them as jbinfmt's notify engine: seize the thread, interrupt it, answer -ERESTARTNOINTR; at the interrupt
 * stop block its signals, write the interpreter's path and the new argv below its stack, repoint its registers (a
 * cookie in the sixth argument lets the restarted call past the filter), step it over the call; at the exec event
 * give its mask back and let it go. Left out, so cheaper than any exact tool: rules, credentials, roots and mounts,
 * #! chains, the new program's AT_EXECFN, execveat, non-leader threads, and any recovery beyond "the exec failed:
 * put the registers back".
 *   notify-floor --decide COMMAND [ARGS...]
 * passes every exec through as the first form does, after the looks an exact pass-through cannot skip, the ones
 * jbinfmt makes for a program it holds already: the path read from the caller, its root compared with ours (mount
 * and inode: a chrooted caller names other files by the same path), the program's statx (is it the file whose
 * header was read before?). What this costs over the first form is the price of deciding at all. x86_64 only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define COOKIE 0x6a62666cULL /* in a rewritten execve's sixth argument: the filter lets the restarted call through */
#define ERESTARTNOINTR 513
#define MAX_ARGS 4096

/* the child installs the filter and passes its listener to the parent over a socket pair */
static void send_fd(int sock, int fd) {
    char control[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec io = {.iov_base = "x", .iov_len = 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    if (sendmsg(sock, &m, 0) < 0) {
        perror("notify-floor: sendmsg");
        _exit(125);
    }
}

static int receive_fd(int sock) {
    char control[CMSG_SPACE(sizeof(int))] = {0};
    char x;
    struct iovec io = {.iov_base = &x, .iov_len = 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
    if (recvmsg(sock, &m, 0) <= 0 || CMSG_FIRSTHDR(&m) == NULL) {
        return -1;
    }
    int fd;
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
    return fd;
}

static ssize_t peek(pid_t pid, uint64_t at, void *to, size_t n) {
    struct iovec local = {.iov_base = to, .iov_len = n}, remote = {.iov_base = (void *) at, .iov_len = n};
    return process_vm_readv(pid, &local, 1, &remote, 1, 0);
}

static ssize_t poke(pid_t pid, uint64_t at, const void *from, size_t n) {
    struct iovec local = {.iov_base = (void *) from, .iov_len = n}, remote = {.iov_base = (void *) at, .iov_len = n};
    return process_vm_writev(pid, &local, 1, &remote, 1, 0);
}

/* The path the caller named, as we can open it (a relative one through its cwd) into path (4096 + 64 bytes);
   0, or -1 for a path across an unmapped page (not worth a floor's while) */
static int caller_path(pid_t pid, uint64_t path_at, char *path) {
    char name[4096];
    ssize_t n = peek(pid, path_at, name, sizeof name);
    if (n <= 0 || memchr(name, 0, (size_t) n) == NULL) {
        return -1;
    }
    int off = name[0] == '/' ? 0 : snprintf(path, 64, "/proc/%d/cwd/", pid);
    memcpy(path + off, name, strlen(name) + 1);
    return 0;
}

/* The decision: is the file at the path an aarch64 ELF? */
static int foreign(pid_t pid, uint64_t path_at) {
    char path[4096 + 64];
    if (caller_path(pid, path_at, path) < 0) {
        return 0;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    unsigned char h[20];
    ssize_t n = pread(fd, h, sizeof h, 0);
    close(fd);
    return n == sizeof h && memcmp(h, "\177ELF\2\1\1", 7) == 0 && h[16] == 2 && h[18] == 183 && h[19] == 0;
}

static struct statx our_root;

/* The looks of --decide: the caller's path, its root against ours, the program's statx; the answer is CONTINUE. */
static void look(pid_t pid, uint64_t path_at) {
    char root[64], path[4096 + 64];
    struct statx sx;
    if (caller_path(pid, path_at, path) < 0) {
        return;
    }
    snprintf(root, sizeof root, "/proc/%d/root", pid);
    if (statx(AT_FDCWD, root, 0, STATX_INO | STATX_MNT_ID, &sx) < 0 || sx.stx_ino != our_root.stx_ino
            || sx.stx_mnt_id != our_root.stx_mnt_id) {
        return; /* another root: an exact tool would look the path up in it; not the common case measured */
    }
    statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &sx);
}

/* Waits for tracee pid's next stop; a signal stop is resumed at once (how = PTRACE_CONT or PTRACE_SINGLESTEP) and
   its signal kept for the detach. Returns the status, or -1 when it died. */
static int await_stop(pid_t pid, int *held, int how) {
    for (;;) {
        int status;
        if (waitpid(pid, &status, __WALL) < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
            return -1;
        }
        int sig = WSTOPSIG(status);
        if (status >> 16 != 0 || sig == SIGTRAP) {
            return status;
        }
        *held = sig; /* a signal-delivery stop: delivered when it is let go */
        ptrace(how, pid, 0, 0);
    }
}

static void rewrite(int listener, struct seccomp_notif *n, const char *interp) {
    pid_t pid = (pid_t) n->pid;
    int held = 0;
    if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL) < 0) {
        struct seccomp_notif_resp r = {.id = n->id, .error = -ENOEXEC};
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
        return;
    }
    ptrace(PTRACE_INTERRUPT, pid, 0, 0);
    struct seccomp_notif_resp r = {.id = n->id, .error = -ERESTARTNOINTR};
    ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
    if (await_stop(pid, &held, PTRACE_CONT) < 0) {
        return;
    }
    struct user_regs_struct regs, before;
    ptrace(PTRACE_GETREGS, pid, 0, &regs);
    before = regs;
    uint64_t mask, all = ~(1ULL << (SIGTRAP - 1));
    ptrace(PTRACE_GETSIGMASK, pid, sizeof mask, &mask);
    ptrace(PTRACE_SETSIGMASK, pid, sizeof all, &all);

    /* the block below the stack: INTERPRETER's path, then the new argv: it, the path as given, the old argv[1..] */
    static char block[4096 + 8 + 8 * (MAX_ARGS + 3)];
    size_t len = strlen(interp) + 1; /* main() took it from argv: under 4096 */
    size_t table = (len + 7) & ~7UL;
    uint64_t *words = (uint64_t *) (block + table);
    int count = 0;
    words[count++] = 0; /* the interpreter's address, once the block's is known */
    words[count++] = regs.rdi;
    uint64_t arg;
    for (int k = 1; regs.rsi != 0 && k <= MAX_ARGS; k++) {
        if (peek(pid, regs.rsi + 8ULL * k, &arg, 8) != 8 || arg == 0) {
            break;
        }
        words[count++] = arg;
    }
    words[count++] = 0;
    size_t size = table + 8ULL * count;
    uint64_t base = (regs.rsp - 128 - size) & ~15ULL;
    words[0] = base;
    memcpy(block, interp, len);
    poke(pid, base, block, size);
    regs.rdi = base;
    regs.rsi = base + table;
    regs.r9 = COOKIE;
    ptrace(PTRACE_SETREGS, pid, 0, &regs);
    ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
    int status = await_stop(pid, &held, PTRACE_SINGLESTEP);
    if (status < 0) {
        return;
    }
    if (status >> 8 != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
        /* the step's trap: the exec failed; the program gets its registers back, with the errno */
        ptrace(PTRACE_GETREGS, pid, 0, &regs);
        before.rax = regs.rax;
        ptrace(PTRACE_SETREGS, pid, 0, &before);
    }
    ptrace(PTRACE_SETSIGMASK, pid, sizeof mask, &mask);
    ptrace(PTRACE_DETACH, pid, 0, held);
}

int main(int argc, char **argv) {
    const char *interp = NULL; /* --rewrite: the interpreter aarch64 ELF files are rewritten to */
    int decide = 0, first = 1;
    if (argc > 2 && strcmp(argv[1], "--rewrite") == 0 && strlen(argv[2]) < 4096) {
        interp = argv[2];
        first = 3;
    } else if (argc > 1 && strcmp(argv[1], "--decide") == 0) {
        decide = 1;
        first = 2;
        if (statx(AT_FDCWD, "/", 0, STATX_INO | STATX_MNT_ID, &our_root) < 0) {
            perror("notify-floor: statx /");
            return 125;
        }
    }
    if (argc <= first) {
        fprintf(stderr, "usage: notify-floor [--rewrite INTERPRETER | --decide] COMMAND [ARGS...]\n");
        return 125;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        perror("notify-floor: socketpair");
        return 125;
    }
    pid_t child = fork();
    if (child == 0) {
        struct sock_filter filter[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 2, 0),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            /* an execve restarted by a rewrite carries the cookie (the pass-through floor never sees one) */
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[5])),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) COOKIE, 0, 3),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[5]) + 4),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t) (COOKIE >> 32), 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        };
        /* without --rewrite, the filter ends at the first notifying return: nothing but CONTINUE is answered */
        struct sock_fprog prog = {.len = interp ? sizeof filter / sizeof filter[0] : 8, .filter = filter};
        if (!interp) {
            filter[7] = (struct sock_filter) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
        }
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        int fd = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (fd < 0) {
            perror("notify-floor: seccomp");
            _exit(125);
        }
        send_fd(sv[1], fd);
        close(fd);
        execvp(argv[first], argv + first); /* this exec, too, waits for the parent's answer */
        _exit(127);
    }
    close(sv[1]);
    int listener = receive_fd(sv[0]);
    if (listener < 0) {
        fprintf(stderr, "notify-floor: no listener from the child\n");
        return 125;
    }
    for (;;) {
        struct pollfd p = {.fd = listener, .events = POLLIN};
        if (poll(&p, 1, -1) < 0) {
            continue;
        }
        if (!(p.revents & POLLIN)) {
            break; /* POLLHUP: no process with the filter is left */
        }
        struct seccomp_notif n;
        memset(&n, 0, sizeof n);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0) {
            continue; /* the caller went away */
        }
        if (interp && n.data.nr == __NR_execve && foreign((pid_t) n.pid, n.data.args[0])) {
            rewrite(listener, &n, interp);
            continue;
        }
        if (decide && n.data.nr == __NR_execve) {
            look((pid_t) n.pid, n.data.args[0]);
        }
        struct seccomp_notif_resp r = {.id = n.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
    }
    int status;
    if (waitpid(child, &status, 0) < 0) {
        return 125;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
