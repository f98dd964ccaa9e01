/* A freestanding i386 program (no libc, built with clang -m32 -nostdlib, so no 32-bit libc is needed) that execs
 * through int $0x80, like tracer/src/test/c/execer.c does natively:
 *   exec PATH ARG0 ARGS...   execve(PATH, [ARG0, ARGS...])
 *   at PATH ARG0 ARGS...     execveat(AT_FDCWD, PATH, [ARG0, ARGS...], 0)
 *   many N PATH              execve(PATH, [PATH, "x" * N]): an argv too big for the room below the stack pointer
 *   SCRIPT                   execve("/bin/sh", ["sh", "-c", SCRIPT])
 * On failure prints "errno=N" and exits 111. */
static long sys(long nr, long a, long b, long c, long d, long e) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e) : "memory");
    return r;
}

enum { SYS_exit = 1, SYS_write = 4, SYS_execve = 11, SYS_mmap2 = 192, SYS_execveat = 358 };

static int same(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static long number(const char *s) {
    long n = 0;
    while (*s >= '0' && *s <= '9') n = n * 10 + (*s++ - '0');
    return n;
}

static void fail(long r) {
    char buf[32] = "errno=";
    char digits[12];
    int n = 0, at = 6;
    for (long e = -r; e > 0 || n == 0; e /= 10) digits[n++] = (char)('0' + e % 10);
    while (n > 0) buf[at++] = digits[--n];
    buf[at++] = '\n';
    sys(SYS_write, 1, (long)buf, at, 0, 0);
    sys(SYS_exit, 111, 0, 0, 0, 0);
}

__attribute__((used)) void start_c(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    if (argc > 3 && same(argv[1], "exec")) fail(sys(SYS_execve, (long)argv[2], (long)(argv + 3), (long)envp, 0, 0));
    if (argc > 3 && same(argv[1], "at"))
        fail(sys(SYS_execveat, -100, (long)argv[2], (long)(argv + 3), (long)envp, 0));
    if (argc > 3 && same(argv[1], "many")) {
        long n = number(argv[2]);
        long size = (n + 2) * sizeof(char *);
        char **args = (char **)sys(SYS_mmap2, 0, (size + 4095) & ~4095L, 3, 0x22, -1); /* MAP_ANONYMOUS ignores ebp, the offset */
        args[0] = argv[3];
        for (long i = 1; i <= n; i++) args[i] = "x";
        args[n + 1] = 0;
        fail(sys(SYS_execve, (long)argv[3], (long)args, (long)envp, 0, 0));
    }
    char *script = argc > 1 ? argv[1] : "exit 5";
    char *args[] = {"sh", "-c", script, 0};
    fail(sys(SYS_execve, (long)"/bin/sh", (long)args, (long)envp, 0, 0));
}

__asm__(".globl _start\n_start:\n xorl %ebp, %ebp\n movl %esp, %eax\n andl $-16, %esp\n subl $12, %esp\n pushl %eax\n call start_c\n hlt\n");
