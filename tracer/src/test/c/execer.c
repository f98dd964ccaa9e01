/* Execs in the way argv[1] names, for the differential tests; on failure prints errno's name and exits 111.
 *   exec PATH ARG0 ARGS...        execve
 *   exec0 PATH                    execve with an empty argv
 *   execvp NAME ARG0 ARGS...      PATH search
 *   fexec PATH ARG0 ARGS...       execveat(fd, "", AT_EMPTY_PATH); fexec-cloexec: fd is O_CLOEXEC
 *   dirfd DIR NAME ARG0 ARGS...   execveat(dirfd, NAME); dirfd-cloexec: dirfd is O_CLOEXEC
 *   cloexec3 PATH ARG0 ARGS...    execve with fd 3 open and close-on-exec
 *   many N PATH                   execve(PATH, [PATH, 1..N])
 *   chroot DIR CWD MODE ARGS...   chroot(DIR), chdir(CWD), then MODE ARGS... as above
 *   mountns SRC DST MODE ARGS...  in a new mount namespace, SRC bind-mounted on DST, then MODE ARGS...
 * and these prefixes, which change who execs, then go on with MODE ARGS... (they compose, like chroot/mountns):
 *   setid UID GID                 no supplementary groups, then setgid(GID), setuid(UID)
 *   setid-group UID GID GROUP     the same with GROUP as the one supplementary group
 *   seteuid-and-back UID          seteuid(UID), seteuid(0): the ids are back, the process is left non-dumpable
 *   capdrop                       every capability dropped from the bounding, effective, permitted, inheritable
 *                                 and ambient sets (uid 0 stays)
 *   capbset HEX                   keeps in the bounding set only the capabilities HEX names (the kernel oracle
 *                                 runs with the host's bounding set this way)
 *   nodump                        prctl(PR_SET_DUMPABLE, 0)
 *   rename FROM TO                rename(2) a file first (an F rule's interpreter moved or replaced since loading)
 *   unlink PATH                   unlink(2) a file first (an F rule's interpreter deleted)
 *   nnp                           prctl(PR_SET_NO_NEW_PRIVS, 1)
 *   fds                           a failed exec also reports the descriptors it left open (found by fcntl, so
 *                                 also in a chroot without /proc)
 *   userns                        a user namespace of its own, where it is root ("0 EUID 1", setgroups denied),
 *                                 as bubblewrap and rootless container tools start */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>

extern char **environ;

/* set by the sigtrap prefix: a failed exec also reports the signal state it left */
static int report_signals;
/* set by the fds prefix: a failed exec also reports the descriptors open after it */
static int report_fds;

static void on_trap(int sig) { (void)sig; }

static int fail(void) {
    int e = errno;
    if (report_signals) {
        struct sigaction sa;
        sigset_t blocked;
        sigaction(SIGTRAP, NULL, &sa);
        sigprocmask(SIG_BLOCK, NULL, &blocked);
        printf("after: SIGTRAP %s, %s, SIGUSR1 %s\n",
               sa.sa_handler == SIG_IGN ? "ignored" : sa.sa_handler == SIG_DFL ? "default" : "handled",
               sigismember(&blocked, SIGTRAP) ? "blocked" : "not blocked",
               sigismember(&blocked, SIGUSR1) ? "blocked" : "not blocked");
    }
    if (report_fds) {
        printf("open after the failed exec:");
        for (int fd = 0; fd < 1024; fd++)
            if (fcntl(fd, F_GETFD) >= 0) printf(" %d", fd);
        putchar('\n');
    }
    printf("errno=%s\n", strerrorname_np(e));
    fflush(stdout);
    return 111;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int last_cap(void) {
    int last = CAP_LAST_CAP;
    while (prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0) last++; /* a kernel newer than these headers */
    return last;
}

/* keeps in the bounding set the capabilities whose bits are set in keep; all are dropped for keep == 0 */
static int bounding_set(unsigned long long keep) {
    for (int c = 0; c <= last_cap(); c++) {
        if (c < 64 && (keep >> c & 1)) continue;
        if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) return -1;
    }
    return 0;
}

static int drop_all_capabilities(void) {
    if (bounding_set(0) != 0 || prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) return -1;
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[2] = {{0, 0, 0}, {0, 0, 0}};
    return syscall(SYS_capset, &h, none);
}

static int own_user_namespace(void) {
    char map[64];
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER) != 0 || write_file("/proc/self/setgroups", "deny") != 0) return -1;
    snprintf(map, sizeof map, "0 %u 1", uid);
    if (write_file("/proc/self/uid_map", map) != 0) return -1;
    snprintf(map, sizeof map, "0 %u 1", gid);
    return write_file("/proc/self/gid_map", map);
}

int main(int argc, char **argv);

/* argv[1] is a prefix taking n arguments: it is done, go on with what follows them */
static int then(int argc, char **argv, int n) {
    argv[n] = argv[0];
    return main(argc - n, argv + n);
}

int main(int argc, char **argv) {
    if (argc > 4 && !strcmp(argv[1], "setid")) {
        if (setgroups(0, NULL) != 0 || setgid(atoi(argv[3])) != 0 || setuid(atoi(argv[2])) != 0) return fail();
        return then(argc, argv, 3);
    }
    if (argc > 5 && !strcmp(argv[1], "setid-group")) {
        gid_t group = atoi(argv[4]);
        if (setgroups(1, &group) != 0 || setgid(atoi(argv[3])) != 0 || setuid(atoi(argv[2])) != 0) return fail();
        return then(argc, argv, 4);
    }
    if (argc > 3 && !strcmp(argv[1], "seteuid-and-back")) {
        if (seteuid(atoi(argv[2])) != 0 || seteuid(0) != 0) return fail();
        return then(argc, argv, 2);
    }
    if (argc > 2 && !strcmp(argv[1], "capdrop")) {
        if (drop_all_capabilities() != 0) return fail();
        return then(argc, argv, 1);
    }
    if (argc > 3 && !strcmp(argv[1], "capbset")) {
        if (bounding_set(strtoull(argv[2], NULL, 16)) != 0) return fail();
        return then(argc, argv, 2);
    }
    if (argc > 4 && !strcmp(argv[1], "rename")) {
        if (rename(argv[2], argv[3]) != 0) return fail();
        return then(argc, argv, 3);
    }
    if (argc > 3 && !strcmp(argv[1], "unlink")) {
        if (unlink(argv[2]) != 0) return fail();
        return then(argc, argv, 2);
    }
    if (argc > 3 && !strcmp(argv[1], "sigtrap")) {
        /* SIGTRAP ignored, handled or default, SIGUSR1 blocked; a failed exec reports both as it left them */
        struct sigaction sa = {0};
        sa.sa_handler = !strcmp(argv[2], "ignore") ? SIG_IGN : !strcmp(argv[2], "handle") ? on_trap : SIG_DFL;
        sigset_t usr1;
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        if (sigaction(SIGTRAP, &sa, NULL) != 0 || sigprocmask(SIG_BLOCK, &usr1, NULL) != 0) return fail();
        report_signals = 1;
        return then(argc, argv, 2);
    }
    if (argc > 2 && !strcmp(argv[1], "fds")) {
        report_fds = 1;
        return then(argc, argv, 1);
    }
    if (argc > 2 && !strcmp(argv[1], "nodump")) {
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return fail();
        return then(argc, argv, 1);
    }
    if (argc > 2 && !strcmp(argv[1], "nnp")) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail();
        return then(argc, argv, 1);
    }
    if (argc > 2 && !strcmp(argv[1], "userns")) {
        if (own_user_namespace() != 0) return fail();
        return then(argc, argv, 1);
    }
    if (argc > 4 && !strcmp(argv[1], "chroot")) {
        if (chroot(argv[2]) != 0 || chdir(argv[3]) != 0) return fail();
        return then(argc, argv, 3);
    }
    if (argc > 4 && !strcmp(argv[1], "mountns")) {
        if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
            || mount(argv[2], argv[3], NULL, MS_BIND | MS_REC, NULL) != 0) return fail();
        return then(argc, argv, 3);
    }
    if (argc < 3) return 100;
    const char *mode = argv[1];
    if (!strcmp(mode, "exec")) { execve(argv[2], argv + 3, environ); return fail(); }
    if (!strcmp(mode, "exec0")) { char *none[] = {NULL}; execve(argv[2], none, environ); return fail(); }
    if (!strcmp(mode, "execvp")) { execvp(argv[2], argv + 3); return fail(); }
    if (!strcmp(mode, "fexec") || !strcmp(mode, "fexec-cloexec")) {
        int fd = open(argv[2], O_RDONLY | (strchr(mode, '-') ? O_CLOEXEC : 0));
        if (fd < 0) return fail();
        syscall(SYS_execveat, fd, "", argv + 3, environ, AT_EMPTY_PATH);
        return fail();
    }
    if (!strcmp(mode, "dirfd") || !strcmp(mode, "dirfd-cloexec")) {
        int fd = open(argv[2], O_RDONLY | O_DIRECTORY | (strchr(mode, '-') ? O_CLOEXEC : 0));
        if (fd < 0) return fail();
        syscall(SYS_execveat, fd, argv[3], argv + 4, environ, 0);
        return fail();
    }
    if (!strcmp(mode, "cloexec3")) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd != 3) dup3(fd, 3, O_CLOEXEC);
        execve(argv[2], argv + 3, environ);
        return fail();
    }
    if (!strcmp(mode, "many")) {
        int n = atoi(argv[2]);
        char **args = calloc(n + 2, sizeof *args);
        args[0] = argv[3];
        for (int i = 1; i <= n; i++) {
            char buf[16];
            snprintf(buf, sizeof buf, "%d", i);
            args[i] = strdup(buf);
        }
        execve(argv[3], args, environ);
        return fail();
    }
    return 101;
}
