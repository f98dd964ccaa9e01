/* Runs argv[1..] as root of a new user and mount namespace that maps uid/gid 0..65535 (root, nobody and every
 * id the tests change to) to themselves, so that the kernel oracle can also run programs as other users
 * (unshare(1) needs newuidmap and /etc/subuid entries for that; as real root, writing the maps directly is
 * allowed). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", pid, name);
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 2) return 100;
    int sync[2];
    if (pipe2(sync, O_CLOEXEC) != 0) return 101; /* not left open in the program it runs */
    pid_t child = fork();
    if (child < 0) return 102;
    if (child == 0) {
        close(sync[1]);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) { perror("unshare"); _exit(103); }
        char c;
        if (read(sync[0], &c, 1) != 1) _exit(104); /* the parent has written the maps */
        if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) { perror("setresuid"); _exit(105); }
        execvp(argv[1], argv + 1);
        perror("execvp");
        _exit(127);
    }
    close(sync[0]);
    usleep(50000); /* let the child unshare; the maps can only be written once it has */
    for (int tries = 0; write_file(child, "uid_map", "0 0 65536\n") != 0; tries++) {
        if (tries > 100) { perror("uid_map"); kill(child, SIGKILL); return 106; }
        usleep(10000);
    }
    if (write_file(child, "gid_map", "0 0 65536\n") != 0) { perror("gid_map"); return 107; }
    if (write(sync[1], "x", 1) != 1) return 108;
    int status;
    if (waitpid(child, &status, 0) != child) return 109;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
