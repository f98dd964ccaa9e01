package io.jbinfmt.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The cross sysroots Debian's libc6-dev-*-cross packages install as /usr/TRIPLET (what aarch64-linux-gnu-gcc links
 * against), per qemu target: where a dynamically linked foreign program finds its loader and libraries.
 */
final class DebianCrossRoots {
    /**
     * The triplets to try, in order, per qemu target name (every one in QemuTargets.ALL, a test checks): Debian's
     * multiarch triplet, but for i386, whose cross root is named i686. Targets with no Debian port have none; arm
     * has two ABIs, and one root serves only its own, so armhf (Debian's main 32-bit arm port) comes first.
     */
    static final Map<String, List<String>> TRIPLETS = Map.ofEntries(
            Map.entry("i386", List.of("i686-linux-gnu")),
            Map.entry("x86_64", List.of("x86_64-linux-gnu")),
            Map.entry("alpha", List.of("alpha-linux-gnu")),
            Map.entry("arm", List.of("arm-linux-gnueabihf", "arm-linux-gnueabi")),
            Map.entry("armeb", List.of()),
            Map.entry("aarch64", List.of("aarch64-linux-gnu")),
            Map.entry("aarch64_be", List.of()),
            Map.entry("sparc", List.of()),
            Map.entry("sparc32plus", List.of()),
            Map.entry("sparc64", List.of("sparc64-linux-gnu")),
            Map.entry("ppc", List.of("powerpc-linux-gnu")),
            Map.entry("ppc64", List.of("powerpc64-linux-gnu")),
            Map.entry("ppc64le", List.of("powerpc64le-linux-gnu")),
            Map.entry("m68k", List.of("m68k-linux-gnu")),
            Map.entry("mips", List.of("mips-linux-gnu")),
            Map.entry("mipsel", List.of("mipsel-linux-gnu")),
            Map.entry("mips64", List.of("mips64-linux-gnuabi64")),
            Map.entry("mips64el", List.of("mips64el-linux-gnuabi64")),
            Map.entry("sh4", List.of("sh4-linux-gnu")),
            Map.entry("sh4eb", List.of()),
            Map.entry("s390x", List.of("s390x-linux-gnu")),
            Map.entry("riscv32", List.of()),
            Map.entry("riscv64", List.of("riscv64-linux-gnu")),
            Map.entry("loongarch64", List.of("loongarch64-linux-gnu")),
            Map.entry("hppa", List.of("hppa-linux-gnu")),
            Map.entry("or1k", List.of()),
            Map.entry("xtensa", List.of()),
            Map.entry("xtensaeb", List.of()),
            Map.entry("microblaze", List.of()),
            Map.entry("microblazeel", List.of()),
            Map.entry("hexagon", List.of()));

    private DebianCrossRoots() {
    }

    /**
     * The first /usr/TRIPLET of {@code target} that {@code isDirectory} says has a lib directory, or null. A bare
     * /usr/TRIPLET is no sysroot: the cross binutils alone make one holding only bin/.
     */
    static String find(String target, Predicate<String> isDirectory) {
        for (String triplet : TRIPLETS.getOrDefault(target, List.of())) {
            String root = "/usr/" + triplet;
            if (isDirectory.test(root + "/lib")) {
                return root;
            }
        }
        return null;
    }
}
