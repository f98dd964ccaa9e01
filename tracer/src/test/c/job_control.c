/* The parent must see its traced child stop and continue, as without a tracer (waitpid WUNTRACED/WCONTINUED).
 * Exits 0 when it does. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    pid_t p = fork();
    if (p == 0) {
        raise(SIGSTOP);
        _exit(5);
    }
    int st;
    if (waitpid(p, &st, WUNTRACED) != p || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) return 10;
    kill(p, SIGCONT);
    if (waitpid(p, &st, WCONTINUED) != p || !WIFCONTINUED(st)) return 11;
    if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 5) return 12;
    return 0;
}
