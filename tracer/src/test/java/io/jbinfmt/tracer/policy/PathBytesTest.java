package io.jbinfmt.tracer.policy;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

/** Paths as bytes: the last component as the kernel's kbasename takes it, NUL-terminated copies, /proc/TID/fd/FD. */
class PathBytesTest {
    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void theBasenameIsWhatFollowsTheLastSlash() {
        assertArrayEquals(b("qemu-aarch64"), PathBytes.basename(b("/usr/bin/qemu-aarch64")));
        assertArrayEquals(b("b"), PathBytes.basename(b("a//b")), "repeated slashes");
        assertArrayEquals(b(".."), PathBytes.basename(b("/x/..")), "no normalising");
    }

    @Test
    void aPathWithoutSlashIsItsOwnBasenameAsACopy() {
        byte[] path = b("prog");
        byte[] base = PathBytes.basename(path);
        assertArrayEquals(b("prog"), base);
        assertNotSame(path, base);
    }

    @Test
    void aTrailingSlashLeavesAnEmptyBasenameAsTheKernelsDoes() {
        // kbasename(): strrchr('/') + 1, unlike POSIX basename(3), which would give "bin"
        assertArrayEquals(new byte[0], PathBytes.basename(b("/usr/bin/")));
        assertArrayEquals(new byte[0], PathBytes.basename(b("/")));
        assertArrayEquals(new byte[0], PathBytes.basename(new byte[0]), "the empty path");
    }

    @Test
    void bytesThatAreNotUtf8AreKeptAndOnlyTheByte0x2fIsASlash() {
        // 0xaf is '/' with the high bit set, as in a broken multi-byte sequence: not a separator
        byte[] path = {'/', (byte) 0xff, '/', (byte) 0xfe, (byte) 0xaf, 'x'};
        assertArrayEquals(new byte[]{(byte) 0xfe, (byte) 0xaf, 'x'}, PathBytes.basename(path));
    }

    @Test
    void aCStringIsTheBytesAndOneNul() {
        assertArrayEquals(new byte[]{'a', 'b', 0}, PathBytes.cString(b("ab")));
        assertArrayEquals(new byte[]{0}, PathBytes.cString(new byte[0]), "the empty string is one NUL");
        assertArrayEquals(new byte[]{(byte) 0xff, 0}, PathBytes.cString(new byte[]{(byte) 0xff}));
    }

    @Test
    void concatJoinsThePartsInOrderAndNothingIsEmpty() {
        assertArrayEquals(b("/a/bc"), PathBytes.concat(b("/a"), b(""), b("/"), b("bc")));
        assertArrayEquals(new byte[0], PathBytes.concat());
        assertArrayEquals(new byte[]{(byte) 0x80, 0, (byte) 0xc3}, PathBytes.concat(new byte[]{(byte) 0x80},
                new byte[]{0, (byte) 0xc3}), "NULs and stray bytes pass through");
    }

    @Test
    void procFdNamesTheTraceesDescriptorUnderProc() {
        assertArrayEquals(b("/proc/4321/fd/7"), PathBytes.procFd(4321, 7));
        assertArrayEquals(b("/proc/1/fd/0"), PathBytes.procFd(1, 0));
    }
}
