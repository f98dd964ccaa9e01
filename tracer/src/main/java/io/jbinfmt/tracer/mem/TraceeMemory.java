package io.jbinfmt.tracer.mem;

import io.jbinfmt.tracer.sys.Errno;
import io.jbinfmt.tracer.sys.ErrnoException;
import io.jbinfmt.tracer.sys.FileCalls;
import io.jbinfmt.tracer.sys.Iovec;
import io.jbinfmt.tracer.sys.ProcessMemory;
import io.jbinfmt.tracer.sys.Scratch;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads and writes a stopped tracee's memory: process_vm_readv/writev, in page-bounded pieces so that a string
 * ending just before an unmapped page still reads; /proc/TID/mem for code pages that are not writable.
 * ESRCH means the tracee is gone; EFAULT that the address is not mapped. Owned by the tracer thread.
 * <p>
 * Between {@link #rememberReads} and {@link #forgetReads} (one exec decision, while the caller waits), a read
 * that falls inside the last page piece read from the same thread is served from it: a shell passes the path it
 * execs as argv[0] too, and its argv array often sits in the same page, so one call reads all three.
 */
public final class TraceeMemory {
    private static final int PAGE = 4096;

    private final MemorySegment buffer;
    private final MemorySegment iovs;
    private boolean remember;
    /** The page piece {@link #buffer} holds, when remembering: its thread, address and length (0: none). */
    private int heldTid;
    private long heldAddress;
    private long heldLength;

    public TraceeMemory(Arena arena) {
        this.buffer = arena.allocate(PAGE, 16);
        this.iovs = arena.allocate(Iovec.LAYOUT, 2);
    }

    /** From now on, serve reads inside the last page piece read from it (nothing is held yet). */
    public void rememberReads() {
        remember = true;
        heldLength = 0;
    }

    /** Back to reading every time. */
    public void forgetReads() {
        remember = false;
        heldLength = 0;
    }

    /** Where {@code at} of {@code tid} starts in the page piece held, or -1. */
    private int held(int tid, long at) {
        return heldLength > 0 && tid == heldTid && at >= heldAddress && at - heldAddress < heldLength
                ? (int) (at - heldAddress) : -1;
    }

    /** Reads {@code chunk} bytes (within one page) at {@code at} into the buffer; returns the count read. */
    private long fill(int tid, long at, int chunk, String what) throws ErrnoException {
        heldLength = 0;
        long n = ProcessMemory.read(tid, at, buffer.asSlice(0, chunk), iovs);
        if (n <= 0) {
            throw new ErrnoException("read tracee " + what + " at 0x" + Long.toHexString(at), Errno.EFAULT.code);
        }
        if (remember) {
            heldTid = tid;
            heldAddress = at;
            heldLength = n;
        }
        return n;
    }

    /** Exactly {@code length} bytes at {@code address}, or EFAULT. */
    public byte[] read(int tid, long address, int length) throws ErrnoException {
        byte[] out = new byte[length];
        int from = held(tid, address);
        if (from >= 0 && length <= heldLength - from) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, from, out, 0, length);
            return out;
        }
        int done = 0;
        while (done < length) {
            long at = address + done;
            int chunk = (int) Math.min(length - done, PAGE - (at & (PAGE - 1)));
            long n = fill(tid, at, chunk, "memory");
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, out, done, (int) n);
            done += (int) n;
        }
        return out;
    }

    /** The NUL-terminated string at {@code address}, without the NUL; ENAMETOOLONG past {@code max} bytes. */
    public byte[] readCString(int tid, long address, int max) throws ErrnoException {
        byte[] out = null; // the pieces before the last page read, when the string crosses pages
        int have = 0;
        long at = address;
        while (true) {
            int from = held(tid, at);
            long end;
            if (from < 0) {
                from = 0;
                end = fill(tid, at, (int) (PAGE - (at & (PAGE - 1))), "string");
            } else {
                end = heldLength;
            }
            int nul = from;
            while (nul < end && buffer.get(ValueLayout.JAVA_BYTE, nul) != 0) {
                nul++;
            }
            int length = nul - from;
            if (have + length > max) {
                throw new ErrnoException("tracee string too long", Errno.ENAMETOOLONG.code);
            }
            out = out == null ? new byte[length] : Arrays.copyOf(out, have + length);
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, from, out, have, length);
            have += length;
            if (nul < end) {
                return out;
            }
            at += end - from;
        }
    }

    /** A NULL-terminated array of string pointers (argv), {@code wordSize} bytes per pointer. */
    public List<byte[]> readStringArray(int tid, long address, int wordSize, int maxStrings) throws ErrnoException {
        List<byte[]> out = new ArrayList<>();
        if (address == 0) {
            return out;
        }
        long at = address;
        while (true) {
            int chunk = (int) (PAGE - (at & (PAGE - 1)));
            byte[] words = read(tid, at, Math.max(wordSize, chunk - chunk % wordSize));
            MemorySegment w = MemorySegment.ofArray(words);
            for (int i = 0; i + wordSize <= words.length; i += wordSize) {
                long p = wordSize == 8 ? w.get(ValueLayout.JAVA_LONG_UNALIGNED, i)
                        : Integer.toUnsignedLong(w.get(ValueLayout.JAVA_INT_UNALIGNED, i));
                if (p == 0) {
                    return out;
                }
                if (out.size() >= maxStrings) {
                    throw new ErrnoException("too many strings", Errno.E2BIG.code);
                }
                out.add(readCString(tid, p, 128 * 1024));
            }
            at += words.length;
        }
    }

    /** Writes {@code data} at {@code address}; EFAULT when the range is not mapped writable. */
    public void write(int tid, long address, byte[] data) throws ErrnoException {
        heldLength = 0;
        try (Scratch s = Scratch.enter()) {
            long n = ProcessMemory.write(tid, address, s.copyOf(data), iovs);
            if (n != data.length) {
                throw new ErrnoException("write tracee memory at 0x" + Long.toHexString(address), Errno.EFAULT.code);
            }
        }
    }

    /** Writes {@code data} through /proc/TID/mem, which may write read-only (code) pages, as debuggers do. */
    public void poke(int tid, long address, byte[] data) throws ErrnoException {
        heldLength = 0;
        int fd = FileCalls.open(FileCalls.AT_FDCWD, ("/proc/" + tid + "/mem").getBytes(),
                FileCalls.O_RDWR | FileCalls.O_CLOEXEC);
        try (Scratch s = Scratch.enter()) {
            if (FileCalls.pwrite(fd, s.copyOf(data), address) != data.length) {
                throw new ErrnoException("poke tracee memory", Errno.EFAULT.code);
            }
        } finally {
            FileCalls.close(fd);
        }
    }
}
