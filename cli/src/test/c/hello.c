/* A guest program: says who it is, echoes its arguments, copies stdin to stdout when asked, exits with a code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    printf("hello from %s argc=%d", argv[0], argc);
    for (int i = 1; i < argc; i++) printf(" [%s]", argv[i]);
    printf("\n");
    if (argc > 1 && !strcmp(argv[1], "cat")) {
        int c;
        while ((c = getchar()) != EOF) putchar(c);
    }
    if (argc > 1 && !strncmp(argv[1], "exit=", 5)) return atoi(argv[1] + 5);
    return 0;
}
