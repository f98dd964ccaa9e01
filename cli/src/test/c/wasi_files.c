/* A WASI test program that uses files the way a test does: each argument is a path to read and print, or
 * write=PATH to create PATH, write a line to it, then read it back. Exits with the number of failures, each
 * printed with its errno text. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int show(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("open %s: %s\n", path, strerror(errno));
        return 1;
    }
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    printf("read %s: %s", path, buf);
    return 0;
}

int main(int argc, char **argv) {
    int failures = 0;
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "write=", 6)) {
            const char *path = argv[i] + 6;
            FILE *f = fopen(path, "w");
            if (!f) {
                printf("create %s: %s\n", path, strerror(errno));
                failures++;
                continue;
            }
            fprintf(f, "written by %s\n", argv[0]);
            fclose(f);
            failures += show(path);
        } else {
            failures += show(argv[i]);
        }
    }
    return failures;
}
