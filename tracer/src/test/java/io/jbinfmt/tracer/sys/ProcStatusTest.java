package io.jbinfmt.tracer.sys;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fields of /proc/TID/status the tracer reads, parsed from the bytes. */
class ProcStatusTest {
    static final String STATUS = """
            Name:\tsh
            Umask:\t0022
            State:\tS (sleeping)
            Tgid:\t4242
            Uid:\t1000\t1001\t1002\t1003
            Gid:\t100\t101\t102\t103
            FDSize:\t64
            Groups:\t4 24 27 1000\s
            SigQ:\t0/95430
            SigPnd:\t0000000000000000
            SigBlk:\t0000000000010000
            SigIgn:\t0000000000380014
            SigCgt:\t000000004b813efb
            CapInh:\t0000000000000000
            CapPrm:\t000001ffffffffff
            CapEff:\t000001ffffffffff
            """;

    static ProcStatus parse(String text) throws IOException {
        return ProcStatus.parse(text.getBytes(StandardCharsets.ISO_8859_1), 4242);
    }

    @Test
    void theFsIdsAreTheFourthFields() throws IOException {
        ProcStatus s = parse(STATUS);
        assertEquals(1003, s.fsuid());
        assertEquals(103, s.fsgid());
        assertArrayEquals(new int[] {4, 24, 27, 1000}, s.groups());
        assertEquals(0x1ffffffffffL, s.capEff());
    }

    @Test
    void ignoredSignalsAreBitsFromSignalOne() throws IOException {
        ProcStatus s = parse(STATUS);
        assertTrue(s.ignores(Signals.SIGTRAP)); // 0x10: signal 5
        assertTrue(s.ignores(3)); // 0x4: SIGQUIT
        assertFalse(s.ignores(1));
    }

    @Test
    void theSignalMaskIsTheSigBlkLine() throws IOException {
        assertEquals(0x10000L, parse(STATUS).sigBlk()); // SIGCHLD (17) blocked
        assertEquals(-1L, parse("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n").sigBlk(), "not said: all ones");
    }

    @Test
    void capabilitiesCountOnlyWhenAsked() throws IOException {
        assertEquals(0, parse(STATUS).credentials(false).capEff());
        assertEquals(0x1ffffffffffL, parse(STATUS).credentials(true).capEff());
    }

    @Test
    void noGroupsNoCapabilitiesNoSigIgnLine() throws IOException {
        ProcStatus s = parse("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n");
        assertArrayEquals(new int[0], s.groups());
        assertEquals(0, s.capEff());
        assertTrue(s.ignores(Signals.SIGTRAP), "not said: as if ignored, the careful answer");
    }

    @Test
    void aStatusWithoutIdsIsRefused() {
        assertThrows(IOException.class, () -> parse("Name:\tx\nGid:\t0\t0\t0\t0\n"));
        assertThrows(IOException.class, () -> parse("Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\n"));
        assertThrows(IOException.class, () -> parse("Uid:\t0\t0\t0\tx\nGid:\t0\t0\t0\t0\n"));
    }

    @Test
    void ourOwnStatusReadsAsOurCredentials() throws IOException {
        ProcStatus s = ProcStatus.read((int) ProcessHandle.current().pid());
        FsCredentials ours = FsCredentials.ofThisThread();
        assertEquals(ours.fsuid(), s.fsuid());
        assertEquals(ours.fsgid(), s.fsgid());
        assertArrayEquals(ours.groups(), s.groups());
    }
}
