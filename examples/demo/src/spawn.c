/* A guest that starts other programs, as a test driver does: runs each argument as a command line with
 * /bin/sh -c, one after the other, and reports how each ended. Exits with the number of failures. */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        fflush(stdout);
        pid_t p = fork();
        if (p == 0) {
            execl("/bin/sh", "sh", "-c", argv[i], (char *)0);
            _exit(127);
        }
        int st;
        waitpid(p, &st, 0);
        if (WIFEXITED(st)) printf("spawn: '%s' exited %d\n", argv[i], WEXITSTATUS(st));
        else printf("spawn: '%s' killed by signal %d\n", argv[i], WTERMSIG(st));
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) failures++;
    }
    return failures;
}
