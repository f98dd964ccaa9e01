/* 200k stat() calls: a syscall-heavy workload with no exec in it. */
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 200000;
    struct stat st;
    for (int i = 0; i < n; i++) stat("/usr/bin", &st);
    return 0;
}
