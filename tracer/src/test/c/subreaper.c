/* Becomes a child subreaper, forks a child that forks a grandchild and exits at once: the grandchild is
 * orphaned and adopted by us, exits 7 after a while, and must be reaped here with its own status (through the
 * tracer, which sees every exit first). Also leaves a zombie child unreaped for a while before waiting for it.
 * Exits 0 when all went as the kernel promises, else the step number that failed. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) return 1;
    pid_t child = fork();
    if (child < 0) return 2;
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild < 0) _exit(90);
        if (grandchild == 0) {
            usleep(100000);
            _exit(7);
        }
        printf("%d\n", grandchild);
        fflush(stdout);
        _exit(3);
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 3) return 3;
    /* the orphan is ours now */
    pid_t got = wait(&status);
    if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 7) return 4;
    /* a child that stays a zombie while we sleep, then is reaped with its status */
    pid_t z = fork();
    if (z == 0) _exit(9);
    usleep(100000);
    if (waitpid(z, &status, 0) != z || !WIFEXITED(status) || WEXITSTATUS(status) != 9) return 5;
    if (wait(&status) != -1) return 6; /* nothing else left */
    return 0;
}
