package io.jbinfmt.tracer.seccomp;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.Audit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void theNotifyingFilterAllowsARewrittenExecThatCarriesItsCookie() {
        long cookie = 0x1234_5678_9abc_def1L;
        ExecFilter notifying = ExecFilter.notifying(Arch.host(), cookie);
        int notif = io.jbinfmt.tracer.sys.SeccompNotify.RET_USER_NOTIF;
        assertEquals(cookie, notifying.passCookie());
        assertEquals(Bpf.RET_ALLOW, runWith(notifying, 59, Audit.ARCH_X86_64, cookie), "x86_64 execve, cookie");
        assertEquals(notif, runWith(notifying, 59, Audit.ARCH_X86_64, cookie ^ 1), "another low word");
        assertEquals(notif, runWith(notifying, 59, Audit.ARCH_X86_64, cookie ^ (1L << 40)), "another high word");
        assertEquals(notif, runWith(notifying, 59, Audit.ARCH_X86_64, 0), "no cookie");
        assertEquals(Bpf.RET_ALLOW, runWith(notifying, 322, Audit.ARCH_X86_64, cookie),
                "x86_64 execveat, cookie (an F interpreter exec'd by descriptor)");
        assertEquals(notif, runWith(notifying, 322, Audit.ARCH_X86_64, 0), "execveat, no cookie");
        assertEquals(Bpf.RET_ALLOW, runWith(notifying, 358, Audit.ARCH_I386, cookie & 0xffffffffL),
                "i386 execveat: low word");
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

    // The filter as a table written out by hand (see ExecFilter's Javadoc), for every class of input.
    private static final int X32 = 0x40000000;
    private static final long COOKIE = 0x1234_5678_9abc_def1L;
    private static final int[] ARCHES = {Audit.ARCH_X86_64, Audit.ARCH_I386, Audit.ARCH_AARCH64, 0, 0xffffffff};
    private static final long[] SIXTH_ARGS = {0, COOKIE, COOKIE & 0xffffffffL, COOKIE & ~0xffffffffL, COOKIE ^ 1,
            COOKIE ^ (1L << 40)};

    /** Every syscall number up to 1023, natively and with x32's bit 30, and odd high bits. */
    private static int[] numbers() {
        int[] nrs = new int[2048 + 5];
        for (int i = 0; i < 1024; i++) {
            nrs[i] = i;
            nrs[1024 + i] = X32 | i;
        }
        int[] odd = {-1, Integer.MIN_VALUE, Integer.MIN_VALUE | 59, 59 | (1 << 16), X32 | 11};
        System.arraycopy(odd, 0, nrs, 2048, odd.length);
        return nrs;
    }

    /** The TRACE data the filter gives (arch, nr): 1..6 for an exec, 0 for anything else, -1 for an unknown arch. */
    private static int execData(int arch, int nr) {
        if (arch == Audit.ARCH_X86_64) {
            return switch (nr) {
                case 59 -> 1;
                case 322 -> 2;
                case X32 | 520 -> 5;
                case X32 | 545 -> 6;
                default -> 0;
            };
        }
        if (arch == Audit.ARCH_I386) {
            return switch (nr) {
                case 11 -> 3;
                case 358 -> 4;
                default -> 0;
            };
        }
        return -1;
    }

    private static int tracingAction(int arch, int nr) {
        int data = execData(arch, nr);
        return data < 0 ? Bpf.RET_TRACE | 0xffff : data == 0 ? Bpf.RET_ALLOW : Bpf.RET_TRACE | data;
    }

    /** Only the rewritable execs (x86_64's and i386's execve and execveat) let a call carrying the cookie through. */
    private static int notifyingAction(int arch, int nr, long sixth) {
        int data = execData(arch, nr);
        if (data == 0) {
            return Bpf.RET_ALLOW;
        }
        if ((data == 1 || data == 2) && sixth == COOKIE || (data == 3 || data == 4) && sixth == (COOKIE & 0xffffffffL)) {
            return Bpf.RET_ALLOW;
        }
        return io.jbinfmt.tracer.sys.SeccompNotify.RET_USER_NOTIF;
    }

    @Test
    void theTracingFilterGivesEveryArchNumberAndSixthArgumentTheTablesAction() {
        BitSet visited = new BitSet();
        for (int arch : ARCHES) {
            for (int nr : numbers()) {
                for (long sixth : SIXTH_ARGS) {
                    assertAction(tracingAction(arch, nr), filter, arch, nr, sixth, visited);
                }
            }
        }
        assertEquals(filter.program().size(), visited.cardinality(), "every instruction is on a path tried: "
                + "every path ends in a return asserted above (unvisited: " + unvisited(filter, visited) + ")");
    }

    @Test
    void theNotifyingFilterGivesEveryArchNumberAndSixthArgumentTheTablesAction() {
        ExecFilter notifying = ExecFilter.notifying(Arch.host(), COOKIE);
        BitSet visited = new BitSet();
        for (int arch : ARCHES) {
            for (int nr : numbers()) {
                for (long sixth : SIXTH_ARGS) {
                    assertAction(notifyingAction(arch, nr, sixth), notifying, arch, nr, sixth, visited);
                }
            }
        }
        assertEquals(notifying.program().size(), visited.cardinality(), "every instruction is on a path tried: "
                + "every path ends in a return asserted above (unvisited: " + unvisited(notifying, visited) + ")");
    }

    private static void assertAction(int expected, ExecFilter f, int arch, int nr, long sixth, BitSet visited) {
        int got = BpfInterpreter.run(f.program(), BpfInterpreter.seccompData(nr, arch, 0, 0, 0, 0, 0, sixth), visited);
        if (got != expected) {
            assertEquals(Integer.toHexString(expected), Integer.toHexString(got), "arch 0x" + Integer.toHexString(arch)
                    + ", nr 0x" + Integer.toHexString(nr) + ", sixth argument 0x" + Long.toHexString(sixth));
        }
    }

    private static String unvisited(ExecFilter f, BitSet visited) {
        BitSet missed = new BitSet();
        missed.set(0, f.program().size());
        missed.andNot(visited);
        return missed.toString();
    }
}
