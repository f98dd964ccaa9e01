package io.jbinfmt.tracer.lookup;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.policy.ExecFailure;
import io.jbinfmt.tracer.policy.ExecRequest;
import io.jbinfmt.tracer.policy.Target;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.sys.FileStamp;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The files {@link TraceeFiles} keeps open between execs, on real files of this machine: what is held, that a held
 * file changed since is read again, that nothing on another mount or changed just now is held, and that an O rule's
 * interpreter gets a descriptor of its own.
 */
class SettledFilesTest {
    /** Settled after 200 ms here (2 s in use): the files are made, then this long is waited. */
    private static final long SETTLED = 200_000_000L;
    private static final int SELF = (int) ProcessHandle.current().pid();

    private final List<Path> made = new ArrayList<>();
    private TraceeFiles files;

    @BeforeEach
    void open() {
        files = new TraceeFiles(RuleSet.empty(), new SettledFiles(SETTLED));
    }

    @AfterEach
    void close() throws IOException {
        files.close();
        for (Path p : made) {
            Files.deleteIfExists(p);
        }
    }

    private Path file(Path dir, String content) throws IOException {
        Path p = Files.createTempFile(dir, "settled", ".bin");
        made.add(p);
        Files.writeString(p, content);
        return p;
    }

    /** A file in the temporary directory (on the root's mount), settled and exec'd once: held from now on. */
    private Path heldFile(String content) throws Exception {
        Path p = file(Path.of(System.getProperty("java.io.tmpdir")), content);
        waitUntilSettled();
        files.release(exec(p));
        return p;
    }

    private static void waitUntilSettled() throws InterruptedException {
        Thread.sleep(SETTLED / 1_000_000 + 50);
    }

    private Target exec(Path p) {
        Target t = files.executable(new ExecRequest(SELF, Arch.host().nativeAbi(), false, ExecRequest.AT_FDCWD,
                p.toString().getBytes(), 0, 0, 0));
        assertNotNull(t, p + " could not be opened");
        return t;
    }

    private static String text(Target t, int length) {
        return new String(t.header(), 0, length);
    }

    private static boolean isOpen(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Execs {@code p} and releases its target: whether its descriptor stayed open (held). */
    private boolean execAndRelease(Path p) throws IOException {
        Target t = exec(p);
        files.release(t);
        return openOn(t.fd(), p);
    }

    /** Whether our descriptor {@code fd} is open on {@code p} (its number may have been reused since). */
    private static boolean openOn(int fd, Path p) throws IOException {
        return isOpen(fd) && Files.isSameFile(Path.of("/proc/self/fd/" + fd), p);
    }

    @Test
    void aSettledFileOnOurRootsMountIsHeldAndNotClosedByItsRelease() throws Exception {
        Path p = file(Path.of(System.getProperty("java.io.tmpdir")), "first");
        assertEquals(FileStamp.of(-100, "/".getBytes(), 0).mount(), FileStamp.of(-100, p.toString().getBytes(), 0)
                .mount(), "this test needs the temporary directory on the root's mount");
        waitUntilSettled();
        Target a = exec(p);
        files.release(a);
        assertTrue(isOpen(a.fd()), "a held file's descriptor stays open after its release");
        Target b = exec(p);
        assertEquals(a.fd(), b.fd(), "the second exec finds the file held");
        assertEquals("first", text(b, 5));
        files.release(b);
    }

    @Test
    void aHeldFileWrittenSinceIsReadAgain() throws Exception {
        Path p = heldFile("first");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) { // the same inode, new bytes
            f.write("again".getBytes());
        }
        Target t = exec(p);
        assertEquals("again", text(t, 5), "the header of the file as it is now, not as it was held");
        files.release(t);
    }

    @Test
    void aFileChangedJustNowIsNotHeld() throws Exception {
        Path p = file(Path.of(System.getProperty("java.io.tmpdir")), "fresh");
        assertFalse(execAndRelease(p), "a file changed within the last tick of the clock is not held");
    }

    @Test
    void nothingOnAnotherMountIsHeld() throws Exception {
        Path shm = Path.of("/dev/shm");
        assertNotEquals(FileStamp.of(-100, "/".getBytes(), 0).mount(),
                FileStamp.of(-100, shm.toString().getBytes(), 0).mount(), "/dev/shm must be a mount of its own");
        Path p = file(shm, "elsewhere");
        waitUntilSettled();
        assertFalse(execAndRelease(p), "a descriptor we held there would make its umount fail (EBUSY)");
    }

    @Test
    void anOpenBinaryRuleGetsADescriptorOfItsOwn() throws Exception {
        Path p = heldFile("owned");
        Target held = exec(p);
        Target own = files.own(held);
        assertNotEquals(held.fd(), own.fd());
        assertTrue(Files.isSameFile(Path.of("/proc/self/fd/" + own.fd()), p));
        files.release(held);
        files.release(own);
        assertTrue(isOpen(held.fd()), "still held");
        assertFalse(openOn(own.fd(), p),
                "the descriptor of its own is closed with its release");
    }

    @Test
    void onlyLocalFileSystemsStampTheirOwnChangeTimes() {
        assertTrue(SettledFiles.isLocal(0xEF53L), "ext4");
        assertTrue(SettledFiles.isLocal(0x01021994L), "tmpfs");
        assertFalse(SettledFiles.isLocal(0x6969L), "NFS: the server's clock");
        assertFalse(SettledFiles.isLocal(0x01021997L), "9p: the host's clock");
        assertFalse(SettledFiles.isLocal(0x65735546L), "FUSE: whatever the daemon says");
    }

    @Test
    void aHeldFileIsCheckedAsItIsNow() throws Exception {
        Path p = file(Path.of(System.getProperty("java.io.tmpdir")), "mode");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        waitUntilSettled();
        files.release(exec(p));
        Target t = exec(p);
        assertTrue(isOpen(t.fd()));
        assertThrows(ExecFailure.class, () -> files.check(t), "no x bit: not even root may execute it");
        files.release(t);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        waitUntilSettled();
        files.release(exec(p));
        Target u = exec(p);
        files.check(u); // executable now: what was asked of the file before its chmod is not believed
        files.release(u);
    }

    @Test
    void closingLetsGoOfEveryHeldFile() throws Exception {
        Path p = heldFile("held");
        Target t = exec(p);
        files.release(t);
        assertTrue(isOpen(t.fd()));
        files.close();
        assertFalse(openOn(t.fd(), p));
        files = new TraceeFiles(RuleSet.empty(), new SettledFiles(SETTLED));
    }
}
