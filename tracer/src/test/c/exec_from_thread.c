/* A non-leader thread execs while other threads sleep: the tracee's tid changes to the leader's. Runs
 * argv[1] if given, else sh -c 'exit 42'. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static char *program;

static void *execer(void *arg) {
    (void)arg;
    char *const argv[] = {"sh", "-c", "exit 42", NULL};
    char *const own[] = {program, NULL};
    usleep(20000);
    if (program) execv(program, own);
    else execv("/bin/sh", argv);
    perror("execv");
    exit(99);
}

int main(int argc, char **argv) {
    pthread_t t;
    program = argc > 1 ? argv[1] : NULL;
    for (int i = 0; i < 3; i++) pthread_create(&t, NULL, sleeper, NULL);
    pthread_create(&t, NULL, execer, NULL);
    pthread_join(t, NULL);
    return 98;
}
