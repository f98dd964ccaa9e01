/* A guest filter: prefixes every line of stdin with "[TAG] ", TAG being argv[1] (default "tag"). */
#include <stdio.h>

int main(int argc, char **argv) {
    const char *tag = argc > 1 ? argv[1] : "tag";
    int c, start = 1;
    while ((c = getchar()) != EOF) {
        if (start) printf("[%s] ", tag);
        putchar(c);
        start = c == '\n';
    }
    return 0;
}
