package io.jbinfmt.tracer.policy;

import io.jbinfmt.tracer.arch.ExecAbi;

/**
 * An execve or execveat about to run, as decoded at its seccomp stop.
 *
 * @param tid       the thread that called it
 * @param abi       the syscall ABI it used
 * @param execveat  whether it is execveat (then {@code dirfd} and {@code flags} apply)
 * @param dirfd     execveat's directory descriptor (AT_FDCWD for execve)
 * @param path      the path argument, bytes as passed
 * @param flags     execveat's flags (0 for execve)
 * @param argvAddr  the argv pointer in the tracee
 * @param envpAddr  the envp pointer in the tracee
 */
public record ExecRequest(int tid, ExecAbi abi, boolean execveat, int dirfd, byte[] path, int flags,
                          long argvAddr, long envpAddr) {

    /** AT_FDCWD. */
    public static final int AT_FDCWD = -100;

    /** Whether the path is resolved against a directory descriptor rather than the cwd (kernel alloc_bprm). */
    public boolean relativeToFd() {
        return execveat && dirfd != AT_FDCWD && (path.length == 0 || path[0] != '/');
    }

    /**
     * bprm->filename: the path as the kernel names the program, and as binfmt_misc matches extensions and
     * passes it on: {@code /dev/fd/N} or {@code /dev/fd/N/path} for a descriptor-relative execveat.
     */
    public byte[] filename() {
        if (!relativeToFd()) {
            return path;
        }
        String prefix = "/dev/fd/" + dirfd;
        byte[] p = path.length == 0 ? prefix.getBytes() : (prefix + "/").getBytes();
        if (path.length == 0) {
            return p;
        }
        byte[] out = java.util.Arrays.copyOf(p, p.length + path.length);
        System.arraycopy(path, 0, out, p.length, path.length);
        return out;
    }
}
