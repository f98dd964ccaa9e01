package io.jbinfmt.tracer.host;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CgroupLocationTest {
    static final String UNIFIED = "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw";
    static final String PURE_V2 = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 "
            + "cgroup2 rw,nsdelegate,memory_recursiveprot";
    static final String V1 = "30 24 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory";

    @Test
    void aHybridHostsRootGroupIsTheUnifiedMountItself() {
        assertEquals("/sys/fs/cgroup/unified", CgroupLocation.find(List.of(V1, UNIFIED),
                List.of("4:memory:/x", "0::/")));
    }

    @Test
    void aNestedGroupIsUnderTheMount() {
        assertEquals("/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope", CgroupLocation.find(
                List.of(PURE_V2), List.of("0::/user.slice/user-1000.slice/session-3.scope")));
    }

    @Test
    void aContainersMountOfItsOwnSubtreeIsTakenIntoAccount() {
        // a bind mount of the group /docker/abc at /sys/fs/cgroup (no cgroup namespace)
        String bound = "50 40 0:30 /docker/abc /sys/fs/cgroup rw - cgroup2 cgroup2 rw";
        assertEquals("/sys/fs/cgroup/sub", CgroupLocation.find(List.of(bound), List.of("0::/docker/abc/sub")));
        assertEquals("/sys/fs/cgroup", CgroupLocation.find(List.of(bound), List.of("0::/docker/abc")));
        assertNull(CgroupLocation.find(List.of(bound), List.of("0::/docker/other")));
    }

    @Test
    void noV2LineOrNoV2MountMeansNone() {
        assertNull(CgroupLocation.find(List.of(V1), List.of("0::/")));
        assertNull(CgroupLocation.find(List.of(UNIFIED), List.of("4:memory:/x")));
    }

    @Test
    void octalEscapesInMountPointsAreDecoded() {
        String spaced = "41 31 0:38 / /mnt/cg\\040two rw - cgroup2 cgroup2 rw";
        assertEquals("/mnt/cg two/a", CgroupLocation.find(List.of(spaced), List.of("0::/a")));
    }
}
