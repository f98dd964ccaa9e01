package io.jbinfmt.tracer.arch;

import io.jbinfmt.bindings.libc.user_regs_struct;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written register offsets must agree with the C struct jextract saw. */
class X86_64Test {
    private static long offsetOf(String field) {
        return user_regs_struct.layout().byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    private static List<Integer> offsets(String... fields) {
        return Arrays.stream(fields).map(f -> (int) offsetOf(f)).toList();
    }

    @Test
    void registerOffsetsMatchUserRegsStruct() {
        Arch x = X86_64.INSTANCE;
        assertEquals(user_regs_struct.layout().byteSize(), x.registerSetSize());
        assertEquals(offsetOf("orig_rax"), x.offset(Reg.SYSNUM));
        assertEquals(offsets("rdi", "rsi", "rdx", "r10", "r8", "r9"), x.nativeAbi().argOffsets());
        assertEquals(offsets("rbx", "rcx", "rdx", "rsi", "rdi", "rbp"), x.abis().get(1).argOffsets()); // i386
        assertEquals(offsetOf("rax"), x.offset(Reg.RESULT));
        assertEquals(offsetOf("rsp"), x.offset(Reg.SP));
        assertEquals(offsetOf("rip"), x.offset(Reg.PC));
    }

    @Test
    void errorResultsAreTheLast4095() {
        Arch x = X86_64.INSTANCE;
        assertEquals(true, x.isError(-1));
        assertEquals(true, x.isError(-4095));
        assertEquals(false, x.isError(-4096));
        assertEquals(false, x.isError(0));
    }
}
