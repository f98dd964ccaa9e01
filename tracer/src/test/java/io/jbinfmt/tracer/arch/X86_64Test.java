package io.jbinfmt.tracer.arch;

import io.jbinfmt.bindings.libc.user_regs_struct;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemoryLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written register offsets must agree with the C struct jextract saw. */
class X86_64Test {
    private static long offsetOf(String field) {
        return user_regs_struct.layout().byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    @Test
    void registerOffsetsMatchUserRegsStruct() {
        Arch x = X86_64.INSTANCE;
        assertEquals(user_regs_struct.layout().byteSize(), x.registerSetSize());
        assertEquals(offsetOf("orig_rax"), x.offset(Reg.SYSNUM));
        assertEquals(offsetOf("rdi"), x.offset(Reg.ARG1));
        assertEquals(offsetOf("rsi"), x.offset(Reg.ARG2));
        assertEquals(offsetOf("rdx"), x.offset(Reg.ARG3));
        assertEquals(offsetOf("r10"), x.offset(Reg.ARG4));
        assertEquals(offsetOf("r8"), x.offset(Reg.ARG5));
        assertEquals(offsetOf("r9"), x.offset(Reg.ARG6));
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
