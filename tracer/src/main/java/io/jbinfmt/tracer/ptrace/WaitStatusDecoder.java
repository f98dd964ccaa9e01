package io.jbinfmt.tracer.ptrace;

import io.jbinfmt.tracer.sys.Ptrace;
import io.jbinfmt.tracer.sys.Signals;
import io.jbinfmt.tracer.sys.Wait;

/** Turns a raw wait status into a {@link StopEvent}: pure, no system calls. */
public final class WaitStatusDecoder {
    private static final int SYSCALL_TRAP = Signals.SIGTRAP | 0x80;

    private WaitStatusDecoder() {
    }

    public static StopEvent decode(int tid, int status) {
        if (Wait.exited(status)) {
            return new StopEvent.Exited(tid, Wait.exitCode(status));
        }
        if (Wait.signaled(status)) {
            return new StopEvent.Killed(tid, Wait.termSignal(status), Wait.coreDumped(status));
        }
        if (!Wait.stopped(status)) {
            throw new IllegalArgumentException("wait status 0x" + Integer.toHexString(status) + " is no stop");
        }
        int signal = Wait.stopSignal(status);
        int event = Wait.ptraceEvent(status);
        if (event == 0) {
            return signal == SYSCALL_TRAP ? new StopEvent.SyscallStop(tid) : new StopEvent.Signal(tid, signal);
        }
        if (event == Ptrace.EVENT_SECCOMP) {
            return new StopEvent.Seccomp(tid);
        }
        if (event == Ptrace.EVENT_FORK || event == Ptrace.EVENT_VFORK || event == Ptrace.EVENT_CLONE) {
            return new StopEvent.NewChild(tid, event);
        }
        if (event == Ptrace.EVENT_EXEC) {
            return new StopEvent.Exec(tid);
        }
        if (event == Ptrace.EVENT_STOP) {
            return Signals.isStopSignal(signal) ? new StopEvent.GroupStop(tid, signal) : new StopEvent.Interrupted(tid);
        }
        return new StopEvent.OtherEvent(tid, event);
    }
}
