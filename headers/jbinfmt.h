/*
 * The one header jbinfmt feeds to jextract: everything the tracer calls in
 * libc, and the kernel structures and constants it speaks.  What is actually
 * generated is pinned by jbinfmt.jextract (the filter argfile).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <poll.h>        /* the seccomp user-notification engine (issue 12): pollfd, POLL* */
#include <sys/eventfd.h>  /* the seccomp user-notification engine (issue 12): EFD_* */
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>  /* ST_NOEXEC: the same bit in statfs.f_flags */
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <linux/prctl.h>
#include <linux/seccomp.h>
