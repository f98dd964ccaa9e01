package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.policy.PathBytes;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.mem.TraceeMemory;
import io.jbinfmt.tracer.ptrace.SyscallInjector;
import io.jbinfmt.tracer.sys.DescriptorSend;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Pidfd;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Gives a new program, stopped before its first instruction, a copy of one of our descriptors at its lowest free
 * number, as the kernel installs an O rule's AT_EXECFD. Where the program may open our /proc/PID/fd/N (same PID
 * namespace, root and mounts, and credentials that may look into our process) one injected openat does it; where
 * it may not (it dropped its ids, sits in a chroot or another PID namespace), the descriptor goes over a Unix
 * socket pair made in the program: socketpair, we take one end (pidfd_getfd) and send the descriptor (SCM_RIGHTS),
 * it receives it (recvmsg), moves it onto the lowest number (dup3) and closes the rest. No path, no permission of
 * the program's is involved then, as for the kernel, which hands over the file the exec itself opened.
 */
final class DescriptorHandoff {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    /** The program memory {@link #install} may use. */
    static final int SCRATCH = 128;

    private final Arch arch;
    private final TraceeMemory memory;
    private final int selfPid;

    DescriptorHandoff(Arch arch, TraceeMemory memory, int selfPid) {
        this.arch = arch;
        this.memory = memory;
        this.selfPid = selfPid;
    }

    /**
     * Installs a copy of our {@code fd} in {@code tid}, running calls of ABI {@code image} through {@code inject};
     * {@code scratch} is at least {@link #SCRATCH} writable bytes of the program's the caller restores afterwards.
     * {@code throughProc}: try /proc/OURPID/fd/N first. Returns the descriptor's number in the program.
     */
    long install(SyscallInjector inject, ExecAbi image, int tid, long scratch, int fd, boolean throughProc)
            throws ErrnoException {
        if (throughProc) {
            byte[] held = ("/proc/" + selfPid + "/fd/" + fd).getBytes();
            memory.write(tid, scratch, PathBytes.cString(held));
            long opened = inject.call(image.calls().openat(), ExecRequest.AT_FDCWD, scratch, FileCalls.O_RDONLY, 0);
            if (!arch.isError(opened)) {
                return opened;
            }
        }
        return overSocket(inject, image, tid, scratch, fd, false);
    }

    /**
     * As {@link #install} over the socket, but the copy stays close-on-exec, at whatever number it got: for a
     * descriptor the thread is to exec, which the program it starts must not see.
     */
    long installCloseOnExec(SyscallInjector inject, ExecAbi image, int tid, long scratch, int fd)
            throws ErrnoException {
        return overSocket(inject, image, tid, scratch, fd, true);
    }

    private long overSocket(SyscallInjector inject, ExecAbi image, int tid, long scratch, int fd, boolean closeOnExec)
            throws ErrnoException {
        ExecAbi.Calls calls = image.calls();
        int w = image.wordSize();
        long pair = scratch;
        long pairResult = inject.call(calls.socketpair(), AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair);
        check(pairResult, "socketpair in the new program");
        int receiving = readInt(tid, pair);
        int sending = readInt(tid, pair + 4);
        long received = -1;
        try {
            int pidfd = Pidfd.open(tid);
            try {
                int ours = Pidfd.getfd(pidfd, sending);
                try {
                    DescriptorSend.send(ours, fd);
                } finally {
                    FileCalls.close(ours);
                }
            } finally {
                FileCalls.close(pidfd);
            }
            // struct msghdr, iovec, one byte of data and a cmsghdr with room for one int, each field a word
            // (namelen and flags are ints at word-aligned offsets in both ABIs)
            long msg = scratch + 8;
            long iov = msg + 7L * w;
            long data = iov + 2L * w;
            long cmsg = data + w;
            int cmsgHeader = w + 8;
            int cmsgSpace = cmsgHeader + w;
            ByteBuffer b = ByteBuffer.allocate((int) (cmsg + cmsgSpace - msg)).order(ByteOrder.nativeOrder());
            putWord(b, 0, w);                 // msg_name
            putWord(b, 0, w);                 // msg_namelen
            putWord(b, iov, w);               // msg_iov
            putWord(b, 1, w);                 // msg_iovlen
            putWord(b, cmsg, w);              // msg_control
            putWord(b, cmsgSpace, w);         // msg_controllen
            putWord(b, 0, w);                 // msg_flags
            putWord(b, data, w);              // iov_base
            putWord(b, 1, w);                 // iov_len
            putWord(b, 0, w);                 // the byte
            memory.write(tid, msg, b.array()); // the cmsghdr is the kernel's to fill
            long got = inject.call(calls.recvmsg(), receiving, msg, MSG_CMSG_CLOEXEC);
            check(got, "recvmsg in the new program");
            long cmsgLen = w == 8 ? readLong(tid, cmsg) : Integer.toUnsignedLong(readInt(tid, cmsg));
            if (cmsgLen != cmsgHeader + 4) { // MSG_CTRUNC: the program has no descriptor number left
                throw new ErrnoException("recvmsg in the new program: no descriptor received", 24 /* EMFILE */);
            }
            received = readInt(tid, cmsg + cmsgHeader);
            if (closeOnExec) {
                long kept = received;
                received = -1; // kept open: the receiving end goes instead
                inject.call(calls.close(), receiving);
                return kept;
            }
            // onto the lowest free number, which socketpair took first; without close-on-exec, as the kernel's
            check(inject.call(calls.dup3(), received, receiving, 0), "dup3 in the new program");
            return receiving;
        } catch (ErrnoException e) {
            inject.call(calls.close(), receiving);
            throw e;
        } finally {
            inject.call(calls.close(), sending);
            if (received >= 0) {
                inject.call(calls.close(), received);
            }
        }
    }

    private void check(long result, String what) throws ErrnoException {
        if (arch.isError(result)) {
            throw new ErrnoException(what, (int) -result);
        }
    }

    private int readInt(int tid, long at) throws ErrnoException {
        return ByteBuffer.wrap(memory.read(tid, at, 4)).order(ByteOrder.nativeOrder()).getInt();
    }

    private long readLong(int tid, long at) throws ErrnoException {
        return ByteBuffer.wrap(memory.read(tid, at, 8)).order(ByteOrder.nativeOrder()).getLong();
    }

    private static void putWord(ByteBuffer b, long value, int w) {
        if (w == 8) {
            b.putLong(value);
        } else {
            b.putInt((int) value);
        }
    }
}
