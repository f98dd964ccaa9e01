/* Execs in the way argv[1] names, for the differential tests; on failure prints errno's name and exits 111.
 *   exec PATH ARG0 ARGS...        execve
 *   exec0 PATH                    execve with an empty argv
 *   execvp NAME ARG0 ARGS...      PATH search
 *   fexec PATH ARG0 ARGS...       execveat(fd, "", AT_EMPTY_PATH); fexec-cloexec: fd is O_CLOEXEC
 *   dirfd DIR NAME ARG0 ARGS...   execveat(dirfd, NAME); dirfd-cloexec: dirfd is O_CLOEXEC
 *   cloexec3 PATH ARG0 ARGS...    execve with fd 3 open and close-on-exec
 *   many N PATH                   execve(PATH, [PATH, 1..N])
 *   chroot DIR CWD MODE ARGS...   chroot(DIR), chdir(CWD), then MODE ARGS... as above
 *   mountns SRC DST MODE ARGS...  in a new mount namespace, SRC bind-mounted on DST, then MODE ARGS... */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>

extern char **environ;

static int fail(void) {
    printf("errno=%s\n", strerrorname_np(errno));
    fflush(stdout);
    return 111;
}

int main(int argc, char **argv) {
    if (argc > 4 && !strcmp(argv[1], "chroot")) {
        if (chroot(argv[2]) != 0 || chdir(argv[3]) != 0) return fail();
        argv[3] = argv[0];
        return main(argc - 3, argv + 3);
    }
    if (argc > 4 && !strcmp(argv[1], "mountns")) {
        if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
            || mount(argv[2], argv[3], NULL, MS_BIND | MS_REC, NULL) != 0) return fail();
        argv[3] = argv[0];
        return main(argc - 3, argv + 3);
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
