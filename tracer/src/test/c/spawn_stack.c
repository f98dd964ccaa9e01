/*
 * spawn_stack TARGET NARGS: execs TARGET with NARGS long arguments from a posix_spawn-like child (clone with
 * CLONE_VM | CLONE_VFORK) whose 36 KiB stack is its own mapping, placed right above a writable shared mapping
 * of ours. Prints whether that mapping is still intact after the exec, and the child's exit status. A tracer
 * that writes a rewritten argv too far below the child's stack pointer corrupts it.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char *target;
static char **args;

static int child(void *unused) {
    (void) unused;
    execv(target, args);
    _exit(127);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: spawn_stack TARGET NARGS\n");
        return 2;
    }
    target = argv[1];
    int n = atoi(argv[2]);
    args = calloc(n + 2, sizeof *args);
    args[0] = target;
    for (int i = 1; i <= n; i++) {
        args[i] = malloc(24);
        snprintf(args[i], 24, "argument-%06d", i);
    }
    size_t below = 1 << 20, stack = 36 * 1024;
    /* shared below, private above: two mappings the kernel cannot merge */
    char *area = mmap(NULL, below + stack, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED
            || mmap(area + below, stack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
            == MAP_FAILED) {
        perror("mmap");
        return 2;
    }
    memset(area, 0xaa, below);
    int pid = clone(child, area + below + stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    if (pid < 0) {
        perror("clone");
        return 2;
    }
    int status;
    waitpid(pid, &status, 0);
    size_t bad = 0;
    for (size_t i = 0; i < below; i++) {
        bad += (unsigned char) area[i] != 0xaa;
    }
    printf("below: %s (%zu bytes changed); status %d\n", bad ? "corrupted" : "intact", bad,
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return 0;
}
