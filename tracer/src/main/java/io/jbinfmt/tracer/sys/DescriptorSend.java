package io.jbinfmt.tracer.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * sendmsg(2) of one descriptor (SCM_RIGHTS) over a Unix socket, with one byte of data (a datagram carrying only
 * ancillary data may not be received as such). Laid out for the host's 64-bit struct msghdr.
 */
public final class DescriptorSend {
    private static final long SENDMSG = io.jbinfmt.tracer.arch.Arch.host().sendmsg();
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;

    private DescriptorSend() {
    }

    /** Sends a copy of {@code fd} over {@code socket}. */
    public static void send(int socket, int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(8);
            MemorySegment iov = arena.allocate(16);
            iov.set(ValueLayout.JAVA_LONG, 0, data.address());
            iov.set(ValueLayout.JAVA_LONG, 8, 1);
            MemorySegment cmsg = arena.allocate(24); // CMSG_SPACE(sizeof(int))
            cmsg.set(ValueLayout.JAVA_LONG, 0, 20); // CMSG_LEN(sizeof(int))
            cmsg.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
            cmsg.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
            cmsg.set(ValueLayout.JAVA_INT, 16, fd);
            MemorySegment msg = arena.allocate(56);
            msg.set(ValueLayout.JAVA_LONG, 16, iov.address());
            msg.set(ValueLayout.JAVA_LONG, 24, 1);
            msg.set(ValueLayout.JAVA_LONG, 32, cmsg.address());
            msg.set(ValueLayout.JAVA_LONG, 40, 24);
            Syscall.call("sendmsg(SCM_RIGHTS)", SENDMSG, socket, msg.address(), MSG_NOSIGNAL, 0);
        }
    }
}
