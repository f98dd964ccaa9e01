/* Four threads fork and reap children (each runs /bin/true) as fast as they can while a fifth, non-leader
 * thread execs argv[1] (with argv[1] as its only argument) after 50 ms: the exec must win cleanly whatever
 * fork or clone event is in flight. Exits 99 if the exec fails. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void *forker(void *arg) {
    (void)arg;
    for (;;) {
        pid_t pid = fork();
        if (pid == 0) {
            execl("/bin/true", "true", (char *)NULL);
            _exit(127);
        }
        if (pid > 0) waitpid(pid, NULL, 0);
    }
    return NULL;
}

static char *program;

static void *execer(void *arg) {
    (void)arg;
    usleep(50000);
    char *const own[] = {program, NULL};
    execv(program, own);
    perror("execv");
    exit(99);
}

int main(int argc, char **argv) {
    if (argc < 2) return 100;
    program = argv[1];
    pthread_t t;
    for (int i = 0; i < 4; i++) pthread_create(&t, NULL, forker, NULL);
    pthread_create(&t, NULL, execer, NULL);
    for (;;) pause();
}
