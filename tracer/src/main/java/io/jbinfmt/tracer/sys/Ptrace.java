package io.jbinfmt.tracer.sys;

import io.jbinfmt.bindings.libc.Libc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Typed ptrace(2) requests. Every method must be called from the session's tracer thread: ptrace
 * ties a tracee to the thread that attached it. {@code -Djbinfmt.trace.ptrace=true} logs each request.
 */
public final class Ptrace {
    private static final boolean TRACE = Boolean.getBoolean("jbinfmt.trace.ptrace");

    public static final int O_TRACESYSGOOD = Libc.PTRACE_O_TRACESYSGOOD();
    public static final int O_TRACEFORK = Libc.PTRACE_O_TRACEFORK();
    public static final int O_TRACEVFORK = Libc.PTRACE_O_TRACEVFORK();
    public static final int O_TRACECLONE = Libc.PTRACE_O_TRACECLONE();
    public static final int O_TRACEEXEC = Libc.PTRACE_O_TRACEEXEC();
    public static final int O_TRACESECCOMP = Libc.PTRACE_O_TRACESECCOMP();
    public static final int O_EXITKILL = Libc.PTRACE_O_EXITKILL();

    public static final int EVENT_FORK = Libc.PTRACE_EVENT_FORK();
    public static final int EVENT_VFORK = Libc.PTRACE_EVENT_VFORK();
    public static final int EVENT_CLONE = Libc.PTRACE_EVENT_CLONE();
    public static final int EVENT_EXEC = Libc.PTRACE_EVENT_EXEC();
    public static final int EVENT_EXIT = Libc.PTRACE_EVENT_EXIT();
    public static final int EVENT_SECCOMP = Libc.PTRACE_EVENT_SECCOMP();
    public static final int EVENT_STOP = Libc.PTRACE_EVENT_STOP();

    /**
     * PTRACE_SINGLESTEP and PTRACE_GETSIGINFO, from linux/ptrace.h (the same on every architecture): not among the
     * generated constants.
     */
    private static final int SINGLESTEP = 9;
    private static final int GETSIGINFO = 0x4202;
    /** siginfo_t: si_code follows si_signo and si_errno; the whole is 128 bytes. */
    private static final int SI_CODE_OFFSET = 8;
    public static final int SIGINFO_SIZE = 128;

    /** NT_PRSTATUS: the general-purpose register set for GETREGSET/SETREGSET. */
    public static final int NT_PRSTATUS = Libc.NT_PRSTATUS();

    private Ptrace() {
    }

    private static long call(String name, int request, int tid, long addr, long data) throws ErrnoException {
        // the raw syscall (not glibc's wrapper, which only differs for the PEEK requests we never use)
        long r = Syscall.raw(Syscall.PTRACE, request, tid, addr, data);
        if (TRACE) {
            System.err.printf("[ptrace] %s(%d, 0x%x, 0x%x) = %d%s%n", name, tid, addr, data, r,
                    r < 0 ? " " + Errno.name((int) -r) : "");
        }
        if (r < 0) {
            throw new ErrnoException("ptrace(" + name + ", " + tid + ")", (int) -r);
        }
        return r;
    }

    /** PTRACE_SEIZE: attach without stopping, with {@code options} set at once. */
    public static void seize(int tid, int options) throws ErrnoException {
        call("SEIZE", Libc.PTRACE_SEIZE(), tid, 0, options);
    }

    /** PTRACE_INTERRUPT: make a seized tracee stop with PTRACE_EVENT_STOP. */
    public static void interrupt(int tid) throws ErrnoException {
        call("INTERRUPT", Libc.PTRACE_INTERRUPT(), tid, 0, 0);
    }

    /** PTRACE_LISTEN: leave a group-stopped tracee stopped, but let SIGCONT wake it (job control). */
    public static void listen(int tid) throws ErrnoException {
        call("LISTEN", Libc.PTRACE_LISTEN(), tid, 0, 0);
    }

    /** PTRACE_CONT, delivering {@code signal} (0 for none). */
    public static void cont(int tid, int signal) throws ErrnoException {
        call("CONT", Libc.PTRACE_CONT(), tid, 0, signal);
    }

    /** PTRACE_SYSCALL: resume until the next syscall entry or exit, delivering {@code signal} (0 for none). */
    public static void syscall(int tid, int signal) throws ErrnoException {
        call("SYSCALL", Libc.PTRACE_SYSCALL(), tid, 0, signal);
    }

    /**
     * PTRACE_SINGLESTEP: resume for one instruction, delivering {@code signal} (0 for none); a syscall instruction
     * is stepped over whole (the trap comes at its exit, before the next instruction).
     */
    public static void singlestep(int tid, int signal) throws ErrnoException {
        call("SINGLESTEP", SINGLESTEP, tid, 0, signal);
    }

    /**
     * PTRACE_GETSIGINFO of a tracee in a signal-delivery stop, into {@code buf} ({@link #SIGINFO_SIZE} bytes):
     * the signal's si_code (positive: sent by the kernel, such as a trap; 0 or below: by a process).
     */
    public static int signalCode(int tid, MemorySegment buf) throws ErrnoException {
        call("GETSIGINFO", GETSIGINFO, tid, 0, buf.address());
        return buf.get(ValueLayout.JAVA_INT, SI_CODE_OFFSET);
    }

    /** PTRACE_DETACH, delivering {@code signal}. */
    public static void detach(int tid, int signal) throws ErrnoException {
        call("DETACH", Libc.PTRACE_DETACH(), tid, 0, signal);
    }

    /** PTRACE_SETOPTIONS. */
    public static void setOptions(int tid, int options) throws ErrnoException {
        call("SETOPTIONS", Libc.PTRACE_SETOPTIONS(), tid, 0, options);
    }

    /** PTRACE_GETSIGMASK: the tracee's blocked-signal mask (the kernel's 64-bit sigset), using {@code buf} (8 bytes). */
    public static long sigmask(int tid, MemorySegment buf) throws ErrnoException {
        call("GETSIGMASK", Libc.PTRACE_GETSIGMASK(), tid, 8, buf.address());
        return buf.get(ValueLayout.JAVA_LONG, 0);
    }

    /** PTRACE_SETSIGMASK: sets the tracee's blocked-signal mask to {@code mask}, using {@code buf} (8 bytes). */
    public static void sigmask(int tid, long mask, MemorySegment buf) throws ErrnoException {
        buf.set(ValueLayout.JAVA_LONG, 0, mask);
        call("SETSIGMASK", Libc.PTRACE_SETSIGMASK(), tid, 8, buf.address());
    }

    /** PTRACE_GETEVENTMSG into {@code out} (8 bytes): new child's pid, former tid, or seccomp data. */
    public static long eventMessage(int tid, MemorySegment out) throws ErrnoException {
        call("GETEVENTMSG", Libc.PTRACE_GETEVENTMSG(), tid, 0, out.address());
        return out.get(ValueLayout.JAVA_LONG, 0);
    }

    /**
     * PTRACE_GETREGSET(NT_PRSTATUS) into {@code regs}; {@code iov} is a struct iovec the call may use.
     * Returns the number of bytes the kernel filled.
     */
    public static long getRegs(int tid, MemorySegment iov, MemorySegment regs) throws ErrnoException {
        Iovec.set(iov, regs);
        call("GETREGSET", Libc.PTRACE_GETREGSET(), tid, NT_PRSTATUS, iov.address());
        return Iovec.length(iov);
    }

    /** PTRACE_SETREGSET(NT_PRSTATUS) from {@code regs}. */
    public static void setRegs(int tid, MemorySegment iov, MemorySegment regs) throws ErrnoException {
        Iovec.set(iov, regs);
        call("SETREGSET", Libc.PTRACE_SETREGSET(), tid, NT_PRSTATUS, iov.address());
    }

    /**
     * PTRACE_GETREGS into {@code regs}: unlike GETREGSET, which shows an i386 tracee's registers in the i386 layout,
     * this shows every tracee in the tracer's own layout (x86 only).
     */
    public static void getRegsTracerLayout(int tid, MemorySegment regs) throws ErrnoException {
        call("GETREGS", Libc.PTRACE_GETREGS(), tid, 0, regs.address());
    }

    /** PTRACE_SETREGS from {@code regs}, in the tracer's own layout (x86 only). */
    public static void setRegsTracerLayout(int tid, MemorySegment regs) throws ErrnoException {
        call("SETREGS", Libc.PTRACE_SETREGS(), tid, 0, regs.address());
    }

}
