/* A freestanding i386 program (no libc): execve("/bin/sh", {"sh", "-c", argv[1]}, envp) through int $0x80,
 * exits 100 + errno if that fails. Built with clang -m32 -nostdlib, so no 32-bit libc is needed. */
static long sys3(long nr, long a, long b, long c) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return r;
}

__attribute__((used)) void start_c(long *sp) {
    long argc = sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    char *script = argc > 1 ? argv[1] : "exit 5";
    char *args[] = {"sh", "-c", script, 0};
    long r = sys3(11, (long)"/bin/sh", (long)args, (long)envp);
    sys3(1, 100 - r, 0, 0); /* exit(100 + errno) */
}

__asm__(".globl _start\n_start:\n xorl %ebp, %ebp\n movl %esp, %eax\n andl $-16, %esp\n subl $12, %esp\n pushl %eax\n call start_c\n hlt\n");
