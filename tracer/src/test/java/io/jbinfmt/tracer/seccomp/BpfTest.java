package io.jbinfmt.tracer.seccomp;

import io.jbinfmt.bindings.libc.seccomp_data;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BpfTest {
    @Test
    void seccompDataOffsetsMatchTheGeneratedLayout() {
        assertEquals(seccomp_data.nr$offset(), Bpf.OFFSET_NR);
        assertEquals(seccomp_data.arch$offset(), Bpf.OFFSET_ARCH);
    }
}
