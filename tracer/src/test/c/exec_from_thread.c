/* A non-leader thread execs while other threads sleep: the tracee's tid changes to the leader's. Exits 42. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *sleeper(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static void *execer(void *arg) {
    (void)arg;
    char *const argv[] = {"sh", "-c", "exit 42", NULL};
    usleep(20000);
    execv("/bin/sh", argv);
    perror("execv");
    exit(99);
}

int main(void) {
    pthread_t t;
    for (int i = 0; i < 3; i++) pthread_create(&t, NULL, sleeper, NULL);
    pthread_create(&t, NULL, execer, NULL);
    pthread_join(t, NULL);
    return 98;
}
