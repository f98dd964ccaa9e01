/* The interpreter the differential tests register: prints what the kernel (or jbinfmt) handed it, and the
 * identity it runs with (ids, groups, capabilities, dumpable, no_new_privs, AT_SECURE), which exec sets. */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

/* capget(2), not /proc/self/status: it answers in a bare chroot too */
static void show_identity(void) {
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    printf("uids=%u,%u,%u\n", ru, eu, su);
    printf("gids=%u,%u,%u\n", rg, eg, sg);
    gid_t groups[256];
    int n = getgroups(256, groups);
    printf("groups=");
    for (int i = 0; i < n; i++) printf("%u,", groups[i]);
    putchar('\n');
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d) == 0) {
        printf("cap_eff=%08x%08x\n", d[1].effective, d[0].effective);
        printf("cap_prm=%08x%08x\n", d[1].permitted, d[0].permitted);
    } else {
        printf("cap_eff=unknown\ncap_prm=unknown\n");
    }
    printf("dumpable=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    printf("no_new_privs=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    printf("at_secure=%lu\n", getauxval(AT_SECURE));
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
    show_identity();
    return 0;
}
