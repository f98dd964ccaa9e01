/* The interpreter the differential tests register: prints what the kernel (or jbinfmt) handed it. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static void show(const char *key, const char *s) {
    printf("%s=", key);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\') printf("\\x%02x", *p);
        else putchar(*p);
    }
    putchar('\n');
}

int main(int argc, char **argv) {
    char buf[4096];
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) {
        char key[32];
        snprintf(key, sizeof key, "argv[%d]", i);
        show(key, argv[i]);
    }
    printf("at_flags=%lu\n", getauxval(AT_FLAGS));
    show("at_execfn", (const char *)getauxval(AT_EXECFN));
    unsigned long execfd = getauxval(AT_EXECFD);
    if (execfd) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%lu", execfd);
        ssize_t n = readlink(link, buf, sizeof buf - 1);
        buf[n < 0 ? 0 : n] = 0;
        printf("at_execfd=%lu\n", execfd);
        show("execfd_target", buf);
    } else {
        printf("at_execfd=none\n");
    }
    FILE *f = fopen("/proc/self/comm", "r");
    if (f && fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = 0;
        show("comm", buf);
    }
    if (f) fclose(f);
    if (getcwd(buf, sizeof buf)) show("cwd", buf);
    DIR *d = opendir("/proc/self/fd");
    printf("fds=");
    if (d) { /* no /proc in a bare chroot */
        struct dirent *e;
        int dfd = dirfd(d);
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || atoi(e->d_name) == dfd) continue;
            printf("%s,", e->d_name);
        }
        closedir(d);
    } else {
        printf("unknown");
    }
    putchar('\n');
    return 0;
}
