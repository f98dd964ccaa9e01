package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;
import io.jbinfmt.bindings.libc.pollfd;
import io.jbinfmt.bindings.libc.timespec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * ppoll(2) over a set of descriptors, each watched for input; descriptors may be added and removed between
 * polls. The buffers are reused, so one thread uses it. POLLHUP and POLLERR are always reported, whatever was
 * asked.
 */
public final class Poller implements AutoCloseable {
    public static final int IN = Libc.POLLIN();
    public static final int HUP = Libc.POLLHUP();
    public static final int ERR = Libc.POLLERR();
    public static final int NVAL = Libc.POLLNVAL();
    /** POLLPRI (asm-generic/poll.h; not among the generated constants): how kernfs says a cgroup file changed. */
    public static final int PRI = 0x2;
    private static final long KERNEL_SIGSET_SIZE = 8;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment timeout = arena.allocate(timespec.layout());
    private MemorySegment fds;
    private int capacity;
    private int count;

    public Poller(int... descriptors) {
        this.capacity = Math.max(4, descriptors.length);
        this.fds = pollfd.allocateArray(capacity, arena);
        for (int d : descriptors) {
            add(d);
        }
    }

    /** Watches {@code fd} too, for input, from the next poll on. */
    public void add(int fd) {
        add(fd, IN);
    }

    /** Watches {@code fd} too, for {@code events} (POLLIN, POLLPRI bits), from the next poll on. */
    public void add(int fd, int events) {
        if (count == capacity) {
            // the old array stays in the arena until close: growth is by doubling, so that is bounded
            MemorySegment bigger = pollfd.allocateArray(capacity * 2L, arena);
            bigger.copyFrom(fds);
            fds = bigger;
            capacity *= 2;
        }
        MemorySegment p = pollfd.asSlice(fds, count++);
        pollfd.fd(p, fd);
        pollfd.events(p, (short) events);
        pollfd.revents(p, (short) 0);
    }

    /** Stops watching {@code fd} (the last descriptor takes its place: indices after a removal change). */
    public void remove(int fd) {
        for (int i = 0; i < count; i++) {
            if (pollfd.fd(pollfd.asSlice(fds, i)) == fd) {
                pollfd.asSlice(fds, i).copyFrom(pollfd.asSlice(fds, count - 1));
                count--;
                return;
            }
        }
    }

    /** How many descriptors are watched. */
    public int count() {
        return count;
    }

    /** The descriptor at index {@code i}. */
    public int fd(int i) {
        return pollfd.fd(pollfd.asSlice(fds, i));
    }

    /**
     * Waits until a descriptor is ready, at most {@code timeoutMillis} (negative: no limit). Returns how many are
     * ready (0 on timeout, or when a signal interrupted the wait).
     */
    public int poll(long timeoutMillis) throws ErrnoException {
        for (int i = 0; i < count; i++) {
            pollfd.revents(pollfd.asSlice(fds, i), (short) 0);
        }
        long tmo = 0;
        if (timeoutMillis >= 0) {
            timespec.tv_sec(timeout, timeoutMillis / 1000);
            timespec.tv_nsec(timeout, (timeoutMillis % 1000) * 1_000_000);
            tmo = timeout.address();
        }
        long r = Syscall.raw(Syscall.PPOLL, fds.address(), count, tmo, 0, KERNEL_SIGSET_SIZE, 0);
        if (r == -Errno.EINTR.code) {
            return 0;
        }
        if (r < 0) {
            throw new ErrnoException("ppoll", (int) -r);
        }
        return (int) r;
    }

    /** What the last {@link #poll} reported for descriptor {@code i} (POLLIN, POLLHUP, ... bits). */
    public int revents(int i) {
        return pollfd.revents(pollfd.asSlice(fds, i)) & 0xffff;
    }

    @Override
    public void close() {
        arena.close();
    }
}
