/* Every way a program starts another: fork+exec, vfork+exec, posix_spawn, and threads doing fork+exec at once.
 * Exits 0 when every child's status came back right, else the number of the check that failed. */
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int status_of(pid_t p) {
    int st;
    if (waitpid(p, &st, 0) != p || !WIFEXITED(st)) return -1;
    return WEXITSTATUS(st);
}

static int by_fork(const char *script) {
    pid_t p = fork();
    if (p == 0) {
        execl("/bin/sh", "sh", "-c", script, (char *)0);
        _exit(127);
    }
    return status_of(p);
}

static int by_vfork(const char *script) {
    pid_t p = vfork();
    if (p == 0) {
        execl("/bin/sh", "sh", "-c", script, (char *)0);
        _exit(127);
    }
    return status_of(p);
}

static int by_spawn(const char *script) {
    pid_t p;
    char *const argv[] = {"sh", "-c", (char *)script, NULL};
    if (posix_spawn(&p, "/bin/sh", NULL, NULL, argv, environ) != 0) return -2;
    return status_of(p);
}

static void *worker(void *arg) {
    (void)arg;
    for (int i = 0; i < 25; i++) {
        if (by_fork("exit 6") != 6) return (void *)1;
    }
    return NULL;
}

int main(void) {
    if (by_fork("exit 3") != 3) return 1;
    if (by_vfork("exit 4") != 4) return 2;
    if (by_spawn("exit 5") != 5) return 3;
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        if (r != NULL) return 4;
    }
    return 0;
}
