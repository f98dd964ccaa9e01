package io.jbinfmt.tracer.arch;

/**
 * One syscall ABI a host can run (x86_64, i386, x32 on an x86_64 host): how seccomp names it and which
 * numbers are execve and execveat in it.
 *
 * @param name      short name for logs
 * @param auditArch the AUDIT_ARCH_* value seccomp reports in seccomp_data.arch
 * @param execve    execve's number as seccomp_data.nr shows it (x32 numbers include bit 30)
 * @param execveat  execveat's number likewise
 * @param wordSize  the size of a pointer in this ABI's argv arrays
 */
public record ExecAbi(String name, int auditArch, int execve, int execveat, int wordSize) {
}
