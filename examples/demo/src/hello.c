/* A guest program: says who it is (argv[0]) and echoes its arguments; "cat" copies stdin to stdout,
 * "exit=N" exits with N, "signal=N" dies by signal N (exits 128+N under WASI, which has no signals),
 * "stderr" writes a line to stderr. */
#include <stdio.h>
#ifndef __wasi__
#include <signal.h>
#endif
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("hello from %s argc=%d", argv[0], argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    fflush(stdout);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "cat")) {
            int c;
            while ((c = getchar()) != EOF) putchar(c);
            fflush(stdout);
        } else if (!strcmp(argv[i], "stderr")) {
            fprintf(stderr, "to stderr from %s\n", argv[0]);
        } else if (!strncmp(argv[i], "signal=", 7)) {
#ifdef __wasi__
            return 128 + atoi(argv[i] + 7); /* WASI has no signals */
#else
            raise(atoi(argv[i] + 7));
#endif
        } else if (!strncmp(argv[i], "exit=", 5)) {
            return atoi(argv[i] + 5);
        }
    }
    return 0;
}
