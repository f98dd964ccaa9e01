/*
 * jbinfmt-guard: holds a tree of the notify engine for jbinfmt, so that the tree dies with jbinfmt.
 *
 * jbinfmt makes this process (by libc's clone and injected calls, never by Java code), makes it a child
 * subreaper, forks the command from it and then execs this program in it, with one end of a socket pair whose
 * other end only jbinfmt holds (the lifeline). From then on:
 *  - every orphan of the tree is reparented here (PR_SET_CHILD_SUBREAPER), so a double-forked daemon stays a
 *    descendant of jbinfmt (Yama's ptrace_scope 1 lets jbinfmt seize only descendants) and is reaped here;
 *  - the command's wait status is sent over the lifeline when it is reaped (4 bytes, as wait(2) gives it);
 *  - when no child is left (the tree has ended, daemons included) it exits 0;
 *  - at end of file on the lifeline (jbinfmt ended the tree, or died, even by SIGKILL) it SIGKILLs its children,
 *    whose orphans then become its children, again and again until none is left, and exits.
 * It sits in a process group of its own and ignores terminal and job-control signals, so that neither a Ctrl-C
 * meant for the command nor a SIGKILL of jbinfmt's whole process group (timeout -s KILL) takes it away.
 *
 * Usage (jbinfmt's, not a person's): jbinfmt-guard LIFELINE_FD. The first 4 bytes read from the lifeline are the
 * command's pid.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int lifeline;
static pid_t command;

static void report(int status)
{
    /* MSG_NOSIGNAL: jbinfmt may be gone; nobody reads this then */
    (void) send(lifeline, &status, sizeof status, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Reaps every child that has ended; returns 0 once no child is left, 1 while some are alive. */
static int reap_ended(void)
{
    for (;;) {
        int status;
        pid_t p = waitpid(-1, &status, WNOHANG | __WALL);
        if (p > 0) {
            if (p == command) {
                report(status);
            }
            continue;
        }
        if (p == 0) {
            return 1;
        }
        if (errno == EINTR) {
            continue;
        }
        return 0; /* ECHILD */
    }
}

/* SIGKILLs every child of this process (from /proc/PID/stat's ppid: a zombie child is left for waitpid). */
static void kill_children(pid_t self)
{
    DIR *proc = opendir("/proc");
    if (proc == NULL) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(proc)) != NULL) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) {
            continue;
        }
        char path[64];
        char stat[512];
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            continue;
        }
        ssize_t n = read(fd, stat, sizeof stat - 1);
        close(fd);
        if (n <= 0) {
            continue;
        }
        stat[n] = '\0';
        char *after = strrchr(stat, ')'); /* the name may hold anything, even ") " */
        char state;
        long ppid;
        if (after != NULL && sscanf(after + 1, " %c %ld", &state, &ppid) == 2 && ppid == self) {
            kill((pid_t) pid, SIGKILL); /* our child: its pid cannot be reused before we reap it */
        }
    }
    closedir(proc);
}

/*
 * Kills the whole tree: children, then the orphans their deaths hand to us, until no child is left. Every child's
 * end is followed by a new sweep before the next wait: a dying child's orphans are ours before it can be reaped,
 * and a wait without that sweep would block on an orphan nobody killed.
 */
static void kill_tree(void)
{
    pid_t self = getpid();
    for (;;) {
        kill_children(self);
        int status;
        pid_t p = waitpid(-1, &status, __WALL); /* one child's end: its orphans are ours from then on */
        if (p == command) {
            report(status);
        } else if (p < 0 && errno == ECHILD) {
            return;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "jbinfmt-guard: started by jbinfmt only\n");
        return 2;
    }
    lifeline = atoi(argv[1]);
    prctl(PR_SET_NAME, "jbinfmt-guard", 0, 0, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* jbinfmt set it before the fork; kept across exec, made sure */
    static const int ignored[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGUSR1,
                                  SIGUSR2, SIGALRM};
    for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++) {
        signal(ignored[i], SIG_IGN);
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        /* jbinfmt's stdout may be a pipe someone reads to its end: the guard holds none of it */
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        close(null);
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int children = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

    int pid;
    ssize_t got;
    do {
        got = read(lifeline, &pid, sizeof pid);
    } while (got < 0 && errno == EINTR);
    if (got != (ssize_t) sizeof pid) {
        kill_tree(); /* jbinfmt died before it told us */
        return 1;
    }
    command = pid;

    for (;;) {
        if (!reap_ended()) {
            return 0; /* the tree has ended, daemons included */
        }
        struct pollfd p[2] = {{.fd = lifeline, .events = POLLIN}, {.fd = children, .events = POLLIN}};
        if (poll(p, children >= 0 ? 2 : 1, children >= 0 ? -1 : 100) < 0 && errno != EINTR) {
            kill_tree();
            return 1;
        }
        if (p[0].revents != 0) {
            char buf[64];
            ssize_t n = read(lifeline, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                kill_tree(); /* jbinfmt closed its end, or died */
                return 0;
            }
        }
        if (children >= 0 && p[1].revents != 0) {
            struct signalfd_siginfo si;
            while (read(children, &si, sizeof si) > 0) {
            }
        }
    }
}
