/*
 * The floor of the seccomp user-notification mechanism on this machine, for bench/compare.sh: the least a
 * supervisor can do. It runs COMMAND under a filter that hands execve/execveat to it and answers every
 * notification with CONTINUE at once: no path read, no file opened, no rules, no ptrace. Whatever it costs over
 * native is what the kernel's round trip costs; jbinfmt's notify engine cannot be cheaper than this.
 *   notify-floor COMMAND [ARGS...]
 */
#define _GNU_SOURCE
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

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

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: notify-floor COMMAND [ARGS...]\n");
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
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        };
        struct sock_fprog prog = {.len = sizeof filter / sizeof filter[0], .filter = filter};
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        int fd = (int) syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
        if (fd < 0) {
            perror("notify-floor: seccomp");
            _exit(125);
        }
        send_fd(sv[1], fd);
        close(fd);
        execvp(argv[1], argv + 1); /* this exec, too, waits for the parent's answer */
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
        struct seccomp_notif_resp r = {.id = n.id, .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE};
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &r);
    }
    int status;
    if (waitpid(child, &status, 0) < 0) {
        return 125;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
