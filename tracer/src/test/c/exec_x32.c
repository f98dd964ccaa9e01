/* Tries an execve through the x32 ABI (number with bit 30 set) from a 64-bit program, then a normal one: the
 * tracer must survive the first (the kernel refuses it if x32 is off) and rewrite or pass the second. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    char *const argv[] = {"sh", "-c", "exit 9", NULL};
    long r = syscall(0x40000000L | 520, "/bin/sh", argv, environ);
    printf("x32 execve: %ld %s\n", r, r < 0 ? strerrorname_np(errno) : "");
    fflush(stdout);
    execv("/bin/sh", argv);
    return 99;
}
