package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How much to map for a block that has no room on the stack, and where a small one goes below the stack pointer. */
class ArgvPlacementTest {
    private static final Arch X86_64 = Arch.host();
    private static final ExecAbi NATIVE = X86_64.abis().get(0);
    private static final ExecAbi I386 = X86_64.abis().get(1);
    /** Never read: blocks of a page or less go below the stack pointer without a look at /proc/TID/maps. */
    private static final int NO_SUCH_TID = -1;

    @Test
    void aBlockTakesWholePagesRoundedUp() {
        assertEquals(0, ArgvPlacement.pagesFor(0));
        assertEquals(4096, ArgvPlacement.pagesFor(1));
        assertEquals(4096, ArgvPlacement.pagesFor(4095));
        assertEquals(4096, ArgvPlacement.pagesFor(4096));
        assertEquals(8192, ArgvPlacement.pagesFor(4097));
    }

    @Test
    void theLargestBlockRoundsUpWithoutOverflow() {
        assertEquals(2_147_483_648L, ArgvPlacement.pagesFor(Integer.MAX_VALUE));
    }

    @Test
    void aSmallBlockGoesBelowTheRedZoneSixteenByteAligned() {
        // 0x7ffc00001008 - 128 (red zone) - 100 = 0x7ffc00000f24, aligned down to 16
        assertEquals(0x7ffc_0000_0f20L, ArgvPlacement.belowStack(X86_64, NATIVE, NO_SUCH_TID, 0x7ffc_0000_1008L, 100));
        // 0xffffd000 - 128 - 64 = 0xffffcf40, already aligned: an i386 stack's block
        assertEquals(0xffff_cf40L, ArgvPlacement.belowStack(X86_64, I386, NO_SUCH_TID, 0xffff_d000L, 64));
    }

    @Test
    void thereIsNoRoomBelowAddressZeroOrAboveAnI386Word() {
        assertEquals(-1, ArgvPlacement.belowStack(X86_64, NATIVE, NO_SUCH_TID, 200, 100));
        assertEquals(-1, ArgvPlacement.belowStack(X86_64, I386, NO_SUCH_TID, 0x1_0000_1000L, 64),
                "an i386 process cannot name an address above 4 GiB");
    }
}
