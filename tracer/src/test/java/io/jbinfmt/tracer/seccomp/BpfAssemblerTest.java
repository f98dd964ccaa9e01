package io.jbinfmt.tracer.seccomp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpfAssemblerTest {
    @Test
    void resolvesForwardLabels() {
        List<Bpf.Insn> p = new BpfAssembler()
                .load(0)
                .jumpIfEqual(7, "yes", null)
                .ret(1)
                .label("yes").ret(2)
                .build();
        assertEquals(new Bpf.Insn(Bpf.JEQ_K, 1, 0, 7), p.get(1));
        assertEquals(2, BpfInterpreter.run(p, BpfInterpreter.seccompData(7, 0)));
        assertEquals(1, BpfInterpreter.run(p, BpfInterpreter.seccompData(8, 0)));
    }

    @Test
    void rejectsBackwardJumps() {
        BpfAssembler a = new BpfAssembler().label("top").load(0).jumpIfEqual(1, "top", null).ret(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, a::build);
        assertTrue(e.getMessage().contains("backward"), e.getMessage());
    }

    @Test
    void rejectsJumpsBeyondEightBits() {
        BpfAssembler a = new BpfAssembler().load(0).jumpIfEqual(1, "far", null);
        for (int i = 0; i < 256; i++) {
            a.ret(0);
        }
        a.label("far").ret(1);
        IllegalStateException e = assertThrows(IllegalStateException.class, a::build);
        assertTrue(e.getMessage().contains("too far"), e.getMessage());
    }

    @Test
    void rejectsUndefinedAndDuplicateLabels() {
        assertThrows(IllegalStateException.class,
                () -> new BpfAssembler().load(0).jumpIfEqual(1, "nowhere", null).ret(0).build());
        assertThrows(IllegalArgumentException.class, () -> new BpfAssembler().label("x").label("x"));
    }

    @Test
    void programMustEndWithReturn() {
        assertThrows(IllegalStateException.class, () -> new BpfAssembler().load(0).build());
    }
}
