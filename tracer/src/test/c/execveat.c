/* execveat two ways: "empty" = fexecve (an fd with AT_EMPTY_PATH), exits 43; "dirfd" = a name relative to a
 * directory descriptor, exits 44. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
    if (argc < 2) return 90;
    if (strcmp(argv[1], "empty") == 0) {
        int fd = open("/bin/sh", O_RDONLY);
        char *const a[] = {"sh", "-c", "exit 43", NULL};
        fexecve(fd, a, environ);
        perror("fexecve");
        return 91;
    }
    if (strcmp(argv[1], "dirfd") == 0) {
        int dfd = open("/bin", O_RDONLY | O_DIRECTORY);
        char *const a[] = {"sh", "-c", "exit 44", NULL};
        syscall(SYS_execveat, dfd, "sh", a, environ, 0);
        perror("execveat");
        return 92;
    }
    return 93;
}
