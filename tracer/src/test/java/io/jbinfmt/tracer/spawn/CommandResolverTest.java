package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.SpawnException;
import io.jbinfmt.tracer.sys.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommandResolverTest {
    @TempDir
    Path dir;

    private static List<byte[]> env(String path) {
        return List.of("HOME=/x".getBytes(), ("PATH=" + path).getBytes());
    }

    @Test
    void nameWithSlashIsTakenAsIs() throws Exception {
        assertArrayEquals("./nope".getBytes(), CommandResolver.resolve("./nope".getBytes(), env("/bin")));
    }

    @Test
    void firstExecutableOnPathWins() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = Files.createDirectory(dir.resolve("b"));
        Files.writeString(a.resolve("tool"), "x"); // not executable: skipped
        Path exe = Files.writeString(b.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(a.resolve("tool2")); // a directory: skipped
        byte[] found = CommandResolver.resolve("tool".getBytes(), env(a + ":" + b));
        assertEquals(exe.toString(), new String(found));
    }

    @Test
    void notFoundAndDeniedAreDistinguished() {
        SpawnException missing = assertThrows(SpawnException.class,
                () -> CommandResolver.resolve("no-such-tool-xyz".getBytes(), env(dir.toString())));
        assertEquals(Errno.ENOENT.code, missing.errno());
        assertThrows(SpawnException.class, () -> {
            Files.writeString(dir.resolve("plain"), "x");
            CommandResolver.resolve("plain".getBytes(), env(dir.toString()));
        });
        SpawnException denied = assertThrows(SpawnException.class,
                () -> CommandResolver.resolve("plain".getBytes(), env(dir.toString())));
        assertEquals(Errno.EACCES.code, denied.errno());
    }

    @Test
    void splitsEnvironmentBlocksOnNul() {
        List<byte[]> e = Environment.splitNul("A=1\0B=\u00ff\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals(2, e.size());
        assertArrayEquals(new byte[]{'B', '=', (byte) 0xff}, e.get(1));
    }
}
