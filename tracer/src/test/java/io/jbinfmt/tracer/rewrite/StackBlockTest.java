package io.jbinfmt.tracer.rewrite;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A new program's argc/argv/envp/auxv block as the kernel lays it out, read, measured and edited as words. */
class StackBlockTest {
    private static final long AT_EXECFD = 2;
    private static final long AT_FLAGS = 8;
    private static final long AT_EXECFN = 31;
    private static final long AT_SYSINFO_EHDR = 33;
    private static final long AT_PAGESZ = 6;

    /** argc 2, two argv pointers, NULL, one envp pointer, NULL, four auxv pairs and AT_NULL: 16 words. */
    private static final long[] BLOCK = {
            2, 0x7ffd_0000_1000L, 0x7ffd_0000_1005L, 0,
            0x7ffd_0000_1010L, 0,
            AT_SYSINFO_EHDR, 0x7f00_0000_0000L,
            AT_FLAGS, 0,
            AT_PAGESZ, 4096,
            AT_EXECFN, 0x7ffd_0000_1fe0L,
            0, 0,
    };

    /** The block, then the strings area's words that follow it on the stack. */
    private static long[] onTheStack(long[] block) {
        long[] w = Arrays.copyOf(block, block.length + 3);
        w[block.length] = 0x6d65_7100_6e69_622fL;
        w[block.length + 1] = 7;
        w[block.length + 2] = 0;
        return w;
    }

    @Test
    void theBlockSpansArgcArgvEnvpAndAuxvUpToAndWithAtNull() {
        assertEquals(16, StackBlock.wordsNeeded(onTheStack(BLOCK)));
        assertEquals(16, StackBlock.wordsNeeded(BLOCK), "exactly the block");
    }

    @Test
    void aReadThatEndsInsideTheBlockAsksForMore() {
        for (int n = 0; n < BLOCK.length; n++) {
            assertEquals(-1, StackBlock.wordsNeeded(Arrays.copyOf(BLOCK, n)), n + " words");
        }
    }

    @Test
    void anAuxvValueOfZeroDoesNotEndTheAuxv() {
        // AT_FLAGS' value is 0 at word 9: only a zero type at an even auxv position is AT_NULL
        StackBlock block = StackBlock.parse(onTheStack(BLOCK));
        assertEquals(16, block.size());
        assertEquals(0x7ffd_0000_1fe0L, block.aux(AT_EXECFN), "the entry after AT_FLAGS");
    }

    @Test
    void parsingKeepsTheBlockAndNothingAfterIt() {
        assertArrayEquals(BLOCK, StackBlock.parse(onTheStack(BLOCK)).toArray());
    }

    @Test
    void noArgumentsAndNoEnvironmentAreTwoNullsInARow() {
        long[] bare = {0, 0, 0, AT_PAGESZ, 4096, 0, 0};
        assertEquals(7, StackBlock.wordsNeeded(onTheStack(bare)));
        StackBlock block = StackBlock.parse(onTheStack(bare));
        assertArrayEquals(bare, block.toArray());
        assertEquals(4096, block.aux(AT_PAGESZ));
    }

    @Test
    void auxReadsAnEntrysValueOrMinusOneWhenThereIsNone() {
        StackBlock block = StackBlock.parse(onTheStack(BLOCK));
        assertEquals(0x7f00_0000_0000L, block.aux(AT_SYSINFO_EHDR));
        assertEquals(4096, block.aux(AT_PAGESZ));
        assertEquals(-1, block.aux(AT_EXECFD));
    }

    @Test
    void preserveArgv0SetsBitZeroOfTheExistingAtFlagsAndKeepsItsOtherBits() {
        long[] flagged = BLOCK.clone();
        flagged[9] = 0x10;
        StackBlock block = StackBlock.parse(flagged);
        assertTrue(block.setPreserveArgv0());
        long[] expected = BLOCK.clone();
        expected[9] = 0x11;
        assertArrayEquals(expected, block.toArray());
    }

    @Test
    void withoutAtFlagsPreserveArgv0ChangesNothingAndSaysSo() {
        long[] noFlags = {1, 0x7ffd_0000_1000L, 0, 0, AT_PAGESZ, 4096, 0, 0};
        StackBlock block = StackBlock.parse(noFlags);
        assertFalse(block.setPreserveArgv0());
        assertArrayEquals(noFlags, block.toArray());
    }

    @Test
    void anExecFdGoesJustBeforeAtNullAndGrowsTheBlockByTwoWords() {
        StackBlock block = StackBlock.parse(onTheStack(BLOCK));
        block.addExecFd(5);
        long[] expected = Arrays.copyOf(BLOCK, 18);
        expected[14] = AT_EXECFD;
        expected[15] = 5;
        expected[16] = 0;
        expected[17] = 0;
        assertArrayEquals(expected, block.toArray());
        assertEquals(18, block.size());
        assertEquals(5, block.aux(AT_EXECFD));
    }

    @Test
    void execFnIsRepointedInPlace() {
        StackBlock block = StackBlock.parse(BLOCK);
        block.setExecFn(0x7ffd_0000_0f00L);
        long[] expected = BLOCK.clone();
        expected[13] = 0x7ffd_0000_0f00L;
        assertArrayEquals(expected, block.toArray());
    }

    @Test
    void editsAfterAnAddedExecFdStillFindTheirEntries() {
        StackBlock block = StackBlock.parse(BLOCK);
        block.addExecFd(3);
        assertTrue(block.setPreserveArgv0());
        block.setExecFn(0x1234);
        assertArrayEquals(new long[]{
                2, 0x7ffd_0000_1000L, 0x7ffd_0000_1005L, 0,
                0x7ffd_0000_1010L, 0,
                AT_SYSINFO_EHDR, 0x7f00_0000_0000L,
                AT_FLAGS, 1,
                AT_PAGESZ, 4096,
                AT_EXECFN, 0x1234,
                AT_EXECFD, 3,
                0, 0,
        }, block.toArray());
    }
}
