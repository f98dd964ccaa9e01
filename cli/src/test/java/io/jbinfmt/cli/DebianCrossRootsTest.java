package io.jbinfmt.cli;

import io.jbinfmt.tracer.rules.QemuTargets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The qemu target to Debian cross root mapping, with the file system replaced by a set of directories. */
class DebianCrossRootsTest {
    @Test
    void everyQemuTargetHasADecidedListOfTriplets() {
        // a target added to QemuTargets must say where its cross root lives, or that it has none
        for (QemuTargets.Target t : QemuTargets.ALL) {
            assertTrue(DebianCrossRoots.TRIPLETS.containsKey(t.name()), t.name() + " has no entry");
        }
        assertEquals(QemuTargets.ALL.size(), DebianCrossRoots.TRIPLETS.size(), "an entry for no qemu target");
    }

    @Test
    void theCommonTargetsMapToTheirDebianCrossRoots() {
        assertEquals(List.of("aarch64-linux-gnu"), DebianCrossRoots.TRIPLETS.get("aarch64"));
        assertEquals(List.of("riscv64-linux-gnu"), DebianCrossRoots.TRIPLETS.get("riscv64"));
        assertEquals(List.of("arm-linux-gnueabihf", "arm-linux-gnueabi"), DebianCrossRoots.TRIPLETS.get("arm"));
        assertEquals(List.of("i686-linux-gnu"), DebianCrossRoots.TRIPLETS.get("i386"), "i386's cross root is i686");
        assertEquals(List.of("powerpc64le-linux-gnu"), DebianCrossRoots.TRIPLETS.get("ppc64le"));
        assertEquals(List.of("mips64el-linux-gnuabi64"), DebianCrossRoots.TRIPLETS.get("mips64el"));
        assertEquals(List.of(), DebianCrossRoots.TRIPLETS.get("hexagon"));
    }

    @Test
    void aRootCountsOnlyWithALibDirectory() {
        assertEquals("/usr/aarch64-linux-gnu",
                DebianCrossRoots.find("aarch64", Set.of("/usr/aarch64-linux-gnu/lib")::contains));
        // binutils-aarch64-linux-gnu alone makes /usr/aarch64-linux-gnu/bin: no sysroot
        assertNull(DebianCrossRoots.find("aarch64", Set.of("/usr/aarch64-linux-gnu",
                "/usr/aarch64-linux-gnu/bin")::contains));
    }

    @Test
    void theFirstTripletWithARootWins() {
        Set<String> both = Set.of("/usr/arm-linux-gnueabihf/lib", "/usr/arm-linux-gnueabi/lib");
        assertEquals("/usr/arm-linux-gnueabihf", DebianCrossRoots.find("arm", both::contains));
        assertEquals("/usr/arm-linux-gnueabi",
                DebianCrossRoots.find("arm", Set.of("/usr/arm-linux-gnueabi/lib")::contains));
    }

    @Test
    void anotherTargetsRootIsNotTaken() {
        Set<String> aarch64Only = Set.of("/usr/aarch64-linux-gnu/lib");
        assertNull(DebianCrossRoots.find("riscv64", aarch64Only::contains));
        assertNull(DebianCrossRoots.find("xtensa", aarch64Only::contains));
        assertNull(DebianCrossRoots.find("no-such-target", aarch64Only::contains));
    }
}
