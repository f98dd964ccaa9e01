package io.jbinfmt.tracer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * What this machine's kernel offers the tests, detected once per test JVM and shared: kernel builds change from
 * machine to machine, so a test adapts to these facts (and says so in one line) instead of failing on them.
 * Missing <em>tools</em> are not facts of this kind: those fail the run (see {@link TestPrograms}).
 */
public final class KernelFeatures {
    private KernelFeatures() {
    }

    /** A feature's presence and, when absent, one line saying why (naming the kernel setting). */
    public record Feature(boolean present, String whyNot) {
    }

    private static final class I386 {
        static final Feature VALUE = detectI386();
    }

    private static final class BinfmtInUserNamespace {
        static final Feature VALUE = detectBinfmtInUserNamespace();
    }

    /** Whether the kernel runs i386 programs (CONFIG_IA32_EMULATION, not switched off by ia32_emulation=off). */
    public static Feature i386() {
        return I386.VALUE;
    }

    /** Whether binfmt_misc can be mounted privately in a new user namespace (Linux 6.7+), the tests' oracle. */
    public static Feature binfmtInUserNamespace() {
        return BinfmtInUserNamespace.VALUE;
    }

    /** The one line a test prints when it adapts to a missing feature. */
    public static String adapting(String test, Feature feature, String what) {
        return test + ": " + what + " (" + feature.whyNot() + ")";
    }

    /**
     * Runs a minimal static i386 program (built here from bytes, so no 32-bit tool is needed to ask): exit 42
     * means the kernel ran it; "Exec format error" means 32-bit emulation is off.
     */
    private static Feature detectI386() {
        try {
            Path dir = Files.createTempDirectory("jbinfmt-i386-probe");
            Path prog = dir.resolve("exit42");
            Files.write(prog, minimalI386Exit42());
            Files.setPosixFilePermissions(prog, PosixFilePermissions.fromString("rwx------"));
            try {
                Process p = new ProcessBuilder(prog.toString()).start();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Feature(false, "a minimal i386 program did not finish");
                }
                // Java's launcher execs through execvp, which hands a file the kernel refuses with ENOEXEC to
                // /bin/sh: an ELF it cannot parse exits 2 there
                return p.exitValue() == 42 ? new Feature(true, null)
                        : new Feature(false, "this kernel cannot run i386 programs (a minimal one did not run: exit "
                        + p.exitValue() + ", not 42): 32-bit emulation is off" + ia32Setting());
            } catch (IOException e) {
                return new Feature(false, "this kernel cannot run i386 programs (" + rootCause(e)
                        + "): 32-bit emulation is off" + ia32Setting());
            } finally {
                Files.delete(prog);
                Files.delete(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the i386 probe program", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String ia32Setting() {
        try {
            String cmdline = Files.readString(Path.of("/proc/cmdline"));
            if (cmdline.contains("ia32_emulation=off") || cmdline.contains("ia32_emulation=0")) {
                return ", ia32_emulation=off on the kernel command line";
            }
        } catch (IOException ignored) {
            // no /proc/cmdline: say what it usually is
        }
        return " (ia32_emulation=off, or a kernel built with IA32_EMULATION_DEFAULT_DISABLED; boot with "
                + "ia32_emulation=on to test i386)";
    }

    private static String rootCause(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        String m = e.getMessage();
        return m != null && m.contains("Exec format error") ? "Exec format error" : String.valueOf(m);
    }

    /** An ELF32 i386 executable of 96 bytes: one PT_LOAD segment whose code is exit(42) by int $0x80. */
    static byte[] minimalI386Exit42() {
        int base = 0x08048000;
        int headers = 52 + 32;
        byte[] code = {(byte) 0xb8, 1, 0, 0, 0, (byte) 0xbb, 42, 0, 0, 0, (byte) 0xcd, (byte) 0x80};
        ByteBuffer b = ByteBuffer.allocate(headers + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{0x7f, 'E', 'L', 'F', 1, 1, 1, 0}).put(new byte[8]); // ELFCLASS32, LSB, version 1
        b.putShort((short) 2).putShort((short) 3).putInt(1);                   // ET_EXEC, EM_386, EV_CURRENT
        b.putInt(base + headers).putInt(52).putInt(0).putInt(0);               // entry, phoff, shoff, flags
        b.putShort((short) 52).putShort((short) 32).putShort((short) 1);      // ehsize, phentsize, phnum
        b.putShort((short) 40).putShort((short) 0).putShort((short) 0);       // shentsize, shnum, shstrndx
        b.putInt(1).putInt(0).putInt(base).putInt(base);                      // PT_LOAD, offset, vaddr, paddr
        b.putInt(headers + code.length).putInt(headers + code.length);        // filesz, memsz
        b.putInt(5).putInt(0x1000);                                           // R+X, align
        b.put(code);
        return b.array();
    }

    private static Feature detectBinfmtInUserNamespace() {
        try {
            Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
                    "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && test -e "
                            + "/proc/sys/fs/binfmt_misc/register").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Feature(false, "mounting binfmt_misc in a user namespace did not finish");
            }
            return p.exitValue() == 0 ? new Feature(true, null)
                    : new Feature(false, "binfmt_misc cannot be mounted in a new user namespace (Linux 6.7+ with "
                    + "user namespaces enabled is needed): " + out);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run unshare (util-linux)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
