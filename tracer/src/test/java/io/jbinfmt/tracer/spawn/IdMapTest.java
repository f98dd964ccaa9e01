package io.jbinfmt.tracer.spawn;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel engine's maps, made from the enclosing namespace's, and why the kernel would refuse one. */
class IdMapTest {
    static final IdMap HOST = IdMap.parse("         0          0 4294967295\n");
    static final IdMap UNSHARE_R = IdMap.parse("         0       1000          1\n");
    static final IdMap ROOTLESS = IdMap.parse("0 1000 1\n1 100000 65536\n");

    @Test
    void theMapsAreReadAsProcShowsThem() {
        assertEquals(List.of(new IdMap.Range(0, 1000, 1), new IdMap.Range(1, 100000, 65536)), ROOTLESS.ranges());
        assertEquals(List.of(), IdMap.parse("").ranges());
        assertTrue(HOST.isWhole());
        assertFalse(UNSHARE_R.isWhole());
        assertThrows(IllegalArgumentException.class, () -> IdMap.parse("0 0\n"));
        assertThrows(IllegalArgumentException.class, () -> IdMap.parse("0 4294967295 2\n"));
    }

    @Test
    void theIdentityKeepsExactlyTheEnclosingNamespacesIds() {
        assertEquals("0 0 4294967295\n", HOST.identity().text());
        assertEquals("0 0 1\n", UNSHARE_R.identity().text());
        assertEquals("0 0 1\n1 1 65536\n", ROOTLESS.identity().text());
        assertEquals("0 0 1, 1 1 65536", ROOTLESS.identity().summary());
        assertEquals("empty", IdMap.parse("").summary());
    }

    @Test
    void eachNamespaceKeepsTheIdsOfRootOrMapsTheUserBack() {
        NamespaceIds root = NamespaceIds.of("uid", ROOTLESS, false, 0);
        assertEquals("0 0 1\n1 1 65536\n", root.outer().text());
        assertEquals(root.outer(), root.inner());
        assertEquals("uid_map", root.file());
        NamespaceIds user = NamespaceIds.of("gid", ROOTLESS, true, 1000);
        assertEquals("0 1000 1\n", user.outer().text());
        assertEquals("1000 0 1\n", user.inner().text());
        for (IdMap enclosing : List.of(HOST, UNSHARE_R, ROOTLESS)) {
            NamespaceIds ids = NamespaceIds.of("uid", enclosing, false, 0);
            assertNull(ids.outer().whyRefused("uid_map", enclosing, 4096), enclosing.summary());
            assertNull(ids.inner().whyRefused("uid_map", ids.outer(), 4096), enclosing.summary());
        }
    }

    @Test
    void aRangeOutsideTheParentsIsNamed() {
        String why = HOST.identity().whyRefused("uid_map", UNSHARE_R, 4096);
        assertEquals("its range \"0 0 4294967295\" maps ids 0-4294967294, which jbinfmt's own user namespace does "
                + "not map as one range (its uid_map: 0 1000 1), and the kernel refuses any range that reaches "
                + "outside the parent's", why);
        // straddling two ranges that touch is outside too: a range must lie in one of the parent's
        assertTrue(IdMap.parse("0 0 2\n").whyRefused("uid_map", ROOTLESS, 4096).contains("\"0 0 2\""));
        assertTrue(IdMap.single(0, 65534).whyRefused("gid_map", IdMap.parse(""), 4096)
                .contains("maps ids 65534, which jbinfmt's own user namespace does not map as one range (its "
                        + "gid_map: empty)"));
        assertNull(IdMap.parse("5 5 10\n").whyRefused("uid_map", ROOTLESS, 4096));
    }

    @Test
    void theKernelsLimitsAreNamed() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 341; i++) {
            many.append(i * 10).append(' ').append(i * 10).append(" 10\n");
        }
        assertTrue(IdMap.parse(many.toString()).whyRefused("uid_map", HOST, 65536)
                .startsWith("the uid_map has 341 ranges, and the kernel takes 340 at most"));
        StringBuilder long_ = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            long_.append(1_000_000_000L + i * 10).append(' ').append(1_000_000_000L + i * 10).append(" 10\n");
        }
        assertTrue(IdMap.parse(long_.toString()).whyRefused("uid_map", HOST, 4096)
                .matches("the uid_map is \\d+ bytes, and the kernel takes less than a page \\(4096\\) in one write"));
        assertEquals("its ranges \"0 0 10\" and \"5 20 10\" overlap",
                IdMap.parse("0 0 10\n5 20 10\n").whyRefused("uid_map", HOST, 4096));
        assertEquals("its ranges \"0 0 10\" and \"20 5 10\" overlap",
                IdMap.parse("0 0 10\n20 5 10\n").whyRefused("uid_map", HOST, 4096));
    }
}
