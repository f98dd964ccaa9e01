package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.arch.Arch;
import io.jbinfmt.tracer.arch.ExecAbi;
import io.jbinfmt.tracer.arch.Reg;
import io.jbinfmt.tracer.policy.ExecPlan;
import io.jbinfmt.tracer.ptrace.Registers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The block a rewritten exec's path, argv and envp take in the tracee, byte by byte: the strings with their NULs,
 * padding to 8, then the pointer arrays for the address the block goes to, with 8- and 4-byte words. Every
 * expected block is spelled out here by hand.
 */
class ArgvBlockTest {
    private static final Arch X86_64 = Arch.host();
    private static final ExecAbi NATIVE = X86_64.abis().get(0);
    private static final ExecAbi I386 = X86_64.abis().get(1);
    private static final long BASE = 0x7ffc_1234_5670L;
    private static final long BASE_32 = 0xffff_d100L;

    private static ExecPlan.Rewrite plan(String path, List<String> argv, List<String> env) {
        List<byte[]> args = argv.stream().map(s -> s == null ? null : s.getBytes()).toList();
        List<byte[]> vars = env.stream().map(String::getBytes).toList();
        return new ExecPlan.Rewrite(path.getBytes(), args, vars, false, null, null, path.getBytes(), List.of(), -1,
                args, false);
    }

    /** The bytes, then {@code pointers} as little-endian words of {@code word} bytes. */
    private static byte[] block(String strings, int word, long... pointers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(strings.getBytes());
        for (long p : pointers) {
            for (int i = 0; i < word; i++) {
                out.write((int) (p >>> (8 * i)));
            }
        }
        return out.toByteArray();
    }

    private static void assertBytes(byte[] expected, byte[] actual) {
        assertEquals(HexFormat.ofDelimiter(" ").formatHex(expected), HexFormat.ofDelimiter(" ").formatHex(actual));
    }

    // "/bin/qemu\0" is 10 bytes, "qemu\0" 5, "/x\0" 3: 18 bytes of strings, padded to 24.
    private static final ExecPlan.Rewrite QEMU = plan("/bin/qemu", List.of("qemu", "/x"), List.of());

    @Test
    void theSizeIsTheStringsPaddedToEightThenOnePointerPerArgumentAndTheNull() {
        assertEquals(24 + 3 * 8, ArgvBlock.size(QEMU, 8));
        assertEquals(24 + 3 * 4, ArgvBlock.size(QEMU, 4));
        assertEquals(24, ArgvBlock.argvOffset(QEMU));
    }

    @Test
    void eightByteWordsPointAtEachStringFromTheBase() {
        assertBytes(block("/bin/qemu\0qemu\0/x\0\0\0\0\0\0\0", 8, BASE + 10, BASE + 15, 0),
                ArgvBlock.bytes(QEMU, BASE, 8));
    }

    @Test
    void fourByteWordsHoldTheLow32BitsOfEachAddress() {
        assertBytes(block("/bin/qemu\0qemu\0/x\0\0\0\0\0\0\0", 4, 0xffff_d10aL, 0xffff_d10fL, 0),
                ArgvBlock.bytes(QEMU, BASE_32, 4));
    }

    @Test
    void stringsThatFillWholeWordsGetNoPadding() {
        // "/bin/sh\0" and "abcdefg\0": 16 bytes, already a multiple of 8
        ExecPlan.Rewrite exact = plan("/bin/sh", List.of("abcdefg"), List.of());
        assertEquals(16, ArgvBlock.argvOffset(exact));
        assertEquals(16 + 2 * 8, ArgvBlock.size(exact, 8));
        assertBytes(block("/bin/sh\0abcdefg\0", 8, BASE + 8, 0), ArgvBlock.bytes(exact, BASE, 8));
        // one byte more takes a whole word of padding less one
        ExecPlan.Rewrite over = plan("/bin/sh", List.of("abcdefgh"), List.of());
        assertEquals(24, ArgvBlock.argvOffset(over));
    }

    @Test
    void anEmptyArgvIsJustTheNull() {
        ExecPlan.Rewrite none = plan("/p", List.of(), List.of());
        assertEquals(8 + 8, ArgvBlock.size(none, 8));
        assertBytes(block("/p\0\0\0\0\0\0", 8, 0), ArgvBlock.bytes(none, BASE, 8));
    }

    @Test
    void anEmptyArgumentStillHasItsNulAndItsOwnPointer() {
        ExecPlan.Rewrite empty = plan("/p", List.of("", "a"), List.of());
        assertBytes(block("/p\0\0a\0\0\0", 8, BASE + 3, BASE + 4, 0), ArgvBlock.bytes(empty, BASE, 8));
    }

    // argv "qemu" "/x", then the NULL marker, then envp "A=1": "/q\0" 3 + 5 + 3 + "A=1\0" 4 = 15, padded to 16;
    // pointer slots: qemu, /x, NULL, A=1, NULL.
    private static final ExecPlan.Rewrite WITH_ENV = plan("/q", Arrays.asList("qemu", "/x", null, "A=1"),
            List.of("A=1"));

    @Test
    void aNullEntryEndsArgvAndTheEnvironmentFollowsWithItsOwnNull() {
        assertEquals(16 + 5 * 8, ArgvBlock.size(WITH_ENV, 8));
        assertBytes(block("/q\0qemu\0/x\0A=1\0\0", 8, BASE + 3, BASE + 8, 0, BASE + 11, 0),
                ArgvBlock.bytes(WITH_ENV, BASE, 8));
        assertBytes(block("/q\0qemu\0/x\0A=1\0\0", 4, 0xffff_d103L, 0xffff_d108L, 0, 0xffff_d10bL, 0),
                ArgvBlock.bytes(WITH_ENV, BASE_32, 4));
    }

    @Test
    void theRegistersOfAnExecveatBecomeAnExecveOfTheBlock() {
        try (Arena arena = Arena.ofConfined()) {
            Registers regs = new Registers(X86_64, arena);
            regs.set(Reg.SYSNUM, NATIVE.execveat());
            ArgvBlock.pointRegisters(regs, NATIVE, QEMU, BASE, 0x7ffc_9999_0000L);
            assertEquals(59, regs.get(Reg.SYSNUM), "execve");
            assertEquals(BASE, regs.arg(NATIVE, 1), "the path, at the block's start");
            assertEquals(BASE + 24, regs.arg(NATIVE, 2), "argv, after the padded strings");
            assertEquals(0x7ffc_9999_0000L, regs.arg(NATIVE, 3), "no variables set: the caller's own envp");
        }
    }

    @Test
    void withVariablesEnvpPointsAtTheSlotAfterArgvsNull() {
        try (Arena arena = Arena.ofConfined()) {
            Registers regs = new Registers(X86_64, arena);
            ArgvBlock.pointRegisters(regs, NATIVE, WITH_ENV, BASE, 0x7ffc_9999_0000L);
            assertEquals(BASE + 16, regs.arg(NATIVE, 2));
            assertEquals(BASE + 16 + 3 * 8, regs.arg(NATIVE, 3), "slot 3: A=1");
            ArgvBlock.pointRegisters(regs, I386, WITH_ENV, BASE_32, 0xffff_e000L);
            assertEquals(11, regs.get(Reg.SYSNUM), "i386 execve");
            assertEquals(BASE_32, regs.arg(I386, 1));
            assertEquals(BASE_32 + 16, regs.arg(I386, 2));
            assertEquals(BASE_32 + 16 + 3 * 4, regs.arg(I386, 3), "slot 3 of 4-byte words");
        }
    }

    @Test
    void aHandedInInterpreterIsAnExecveatOfItsDescriptorWithAnEmptyPath() {
        // "\0" is 1 byte, "qemu\0" 5, "/x\0" 3: 9 bytes of strings, padded to 16
        ExecPlan.Rewrite byFd = QEMU.execdAs(new byte[0], null);
        try (Arena arena = Arena.ofConfined()) {
            Registers regs = new Registers(X86_64, arena);
            ArgvBlock.pointRegistersAtDescriptor(regs, NATIVE, byFd, BASE, 0x7ffc_9999_0000L, 7);
            assertEquals(322, regs.get(Reg.SYSNUM), "execveat");
            assertEquals(7, regs.arg(NATIVE, 1), "the descriptor");
            assertEquals(BASE, regs.arg(NATIVE, 2), "the empty path, at the block's start");
            assertEquals(BASE + 16, regs.arg(NATIVE, 3), "argv");
            assertEquals(0x7ffc_9999_0000L, regs.arg(NATIVE, 4), "the caller's own envp");
            assertEquals(0x1000, regs.arg(NATIVE, 5), "AT_EMPTY_PATH");
            ArgvBlock.pointRegistersAtDescriptor(regs, I386, byFd, BASE_32, 0xffff_e000L, 3);
            assertEquals(358, regs.get(Reg.SYSNUM), "i386 execveat");
            assertEquals(3, regs.arg(I386, 1));
            assertEquals(BASE_32 + 16, regs.arg(I386, 3));
            assertEquals(0x1000, regs.arg(I386, 5));
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> {
            try (Arena arena = Arena.ofConfined()) {
                ArgvBlock.pointRegistersAtDescriptor(new Registers(X86_64, arena), NATIVE, QEMU, BASE, 0, 7);
            }
        }, "a path as well as a descriptor");
    }
}
