package io.jbinfmt.tracer.seccomp;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Audit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExecFilterTest {
    private final ExecFilter filter = new ExecFilter(Arch.host());

    private int run(int nr, int arch) {
        return BpfInterpreter.run(filter.program(), BpfInterpreter.seccompData(nr, arch));
    }

    @ParameterizedTest(name = "{0}: nr {2} -> {3}")
    @CsvSource({
            "x86_64 execve,     X86_64, 59,           TRACE, x86_64, false",
            "x86_64 execveat,   X86_64, 322,          TRACE, x86_64, true",
            "i386 execve,       I386,   11,           TRACE, i386,   false",
            "i386 execveat,     I386,   358,          TRACE, i386,   true",
            "x32 execve,        X86_64, 1073742344,   TRACE, x32,    false",
            "x32 execveat,      X86_64, 1073742369,   TRACE, x32,    true",
            "x86_64 read,       X86_64, 0,            ALLOW, ,       false",
            "x86_64 open,       X86_64, 2,            ALLOW, ,       false",
            "x86_64 clone,      X86_64, 56,           ALLOW, ,       false",
            "x86_64 nr 11,      X86_64, 11,           ALLOW, ,       false",
            "i386 nr 59,        I386,   59,           ALLOW, ,       false",
            "i386 nr 322,       I386,   322,          ALLOW, ,       false",
            "x32 read,          X86_64, 1073741824,   ALLOW, ,       false",
            "x32 plain 59,      X86_64, 1073741883,   ALLOW, ,       false",
    })
    void classifiesSyscalls(String desc, String arch, int nr, String action, String abi, boolean execveat) {
        int audit = arch.equals("I386") ? Audit.ARCH_I386 : Audit.ARCH_X86_64;
        int ret = run(nr, audit);
        int expectedAction = action.equals("TRACE") ? Bpf.RET_TRACE : Bpf.RET_ALLOW;
        assertEquals(expectedAction, ret & ~Bpf.RET_DATA_MASK, desc);
        if (abi != null) {
            ExecFilter.Traced t = filter.decode(ret & Bpf.RET_DATA_MASK);
            assertNotNull(t, desc);
            assertEquals(abi, t.abi().name(), desc);
            assertEquals(execveat, t.execveat(), desc);
        }
    }

    @Test
    void unknownArchitectureIsTracedWithTheUnknownMarker() {
        int ret = run(221, Audit.ARCH_AARCH64);
        assertEquals(Bpf.RET_TRACE | ExecFilter.UNKNOWN_ABI, ret);
        assertNull(filter.decode(ExecFilter.UNKNOWN_ABI));
    }

    @Test
    void theNotifyingFilterHandsExecsAndUnknownAbisToTheListenerAndAllowsTheRest() {
        ExecFilter notifying = ExecFilter.notifying(Arch.host());
        int notif = io.jbinfmt.tracer.sys.SeccompNotify.RET_USER_NOTIF;
        for (int[] call : new int[][]{{59, Audit.ARCH_X86_64}, {322, Audit.ARCH_X86_64}, {11, Audit.ARCH_I386},
                {358, Audit.ARCH_I386}, {1073742344, Audit.ARCH_X86_64}, {221, Audit.ARCH_AARCH64}}) {
            assertEquals(notif, BpfInterpreter.run(notifying.program(), BpfInterpreter.seccompData(call[0], call[1])),
                    "nr " + call[0]);
        }
        for (int[] call : new int[][]{{0, Audit.ARCH_X86_64}, {56, Audit.ARCH_X86_64}, {59, Audit.ARCH_I386},
                {11, Audit.ARCH_X86_64}}) {
            assertEquals(Bpf.RET_ALLOW, BpfInterpreter.run(notifying.program(),
                    BpfInterpreter.seccompData(call[0], call[1])), "nr " + call[0]);
        }
        assertEquals("i386", notifying.traced(Audit.ARCH_I386, 358).abi().name());
        assertTrue(notifying.traced(Audit.ARCH_I386, 358).execveat());
        assertEquals("x32", notifying.traced(Audit.ARCH_X86_64, 1073742344).abi().name());
        assertNull(notifying.traced(Audit.ARCH_X86_64, 11));
        assertNull(notifying.traced(Audit.ARCH_AARCH64, 221));
    }

    @Test
    void theNotifyingFilterAllowsARewrittenExecveThatCarriesItsCookie() {
        long cookie = 0x1234_5678_9abc_def1L;
        ExecFilter notifying = ExecFilter.notifying(Arch.host(), cookie);
        int notif = io.jbinfmt.tracer.sys.SeccompNotify.RET_USER_NOTIF;
        assertEquals(cookie, notifying.passCookie());
        assertEquals(Bpf.RET_ALLOW, runWith(notifying, 59, Audit.ARCH_X86_64, cookie), "x86_64 execve, cookie");
        assertEquals(notif, runWith(notifying, 59, Audit.ARCH_X86_64, cookie ^ 1), "another low word");
        assertEquals(notif, runWith(notifying, 59, Audit.ARCH_X86_64, cookie ^ (1L << 40)), "another high word");
        assertEquals(notif, runWith(notifying, 59, Audit.ARCH_X86_64, 0), "no cookie");
        assertEquals(notif, runWith(notifying, 322, Audit.ARCH_X86_64, cookie), "execveat is never let through");
        assertEquals(Bpf.RET_ALLOW, runWith(notifying, 11, Audit.ARCH_I386, cookie & 0xffffffffL), "i386: low word");
        assertEquals(notif, runWith(notifying, 11, Audit.ARCH_I386, cookie), "i386 args are 32 bits");
        assertEquals(notif, runWith(notifying, 1073742344, Audit.ARCH_X86_64, cookie), "x32 is not rewritten");
        int traced = runWith(filter, 59, Audit.ARCH_X86_64, 0);
        assertEquals(Bpf.RET_TRACE, traced & ~Bpf.RET_DATA_MASK, "the tracing filter has no cookie");
        assertEquals(0, filter.passCookie());
        long random = ExecFilter.notifying(Arch.host()).passCookie();
        assertTrue((int) random != 0 && random >>> 32 != 0, "a session's cookie has both words set");
    }

    private static int runWith(ExecFilter f, int nr, int arch, long arg5) {
        return BpfInterpreter.run(f.program(), BpfInterpreter.seccompData(nr, arch, 0, 0, 0, 0, 0, arg5));
    }

    @Test
    void programChecksArchBeforeAnythingElse() {
        Bpf.Insn first = filter.program().getFirst();
        assertEquals(Bpf.LD_W_ABS, first.code());
        assertEquals(Bpf.OFFSET_ARCH, first.k());
    }

    @Test
    void everyPathReturns() {
        // exhaustive over the interesting space: all arches we name and many numbers
        for (int audit : new int[]{Audit.ARCH_X86_64, Audit.ARCH_I386, Audit.ARCH_AARCH64, 0}) {
            for (int nr = 0; nr < 1000; nr++) {
                int ret = run(nr, audit);
                assertTrue(ret == Bpf.RET_ALLOW || (ret & ~Bpf.RET_DATA_MASK) == Bpf.RET_TRACE);
            }
        }
        assertFalse(filter.program().isEmpty());
    }
}
