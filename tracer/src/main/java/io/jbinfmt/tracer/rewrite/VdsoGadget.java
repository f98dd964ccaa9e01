package io.jbinfmt.tracer.rewrite;

import io.jbinfmt.tracer.arch.Arch;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a syscall instruction sits in the vDSO, as an offset from its start. Every native process on this kernel
 * maps the same vDSO image, so the offset found in our own serves for any tracee (its base is AT_SYSINFO_EHDR):
 * injecting a call there needs no write to the tracee's code. -1 when there is no vDSO.
 */
final class VdsoGadget {
    static final long OFFSET = find();

    private VdsoGadget() {
    }

    private static long find() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                if (line.endsWith("[vdso]")) {
                    String[] range = line.substring(0, line.indexOf(' ')).split("-");
                    long start = Long.parseUnsignedLong(range[0], 16);
                    long end = Long.parseUnsignedLong(range[1], 16);
                    MemorySegment vdso = MemorySegment.ofAddress(start).reinterpret(end - start);
                    byte[] insn = Arch.host().syscallInstruction();
                    for (long i = 0; i + insn.length <= vdso.byteSize(); i++) {
                        boolean match = true;
                        for (int k = 0; k < insn.length && match; k++) {
                            match = vdso.get(ValueLayout.JAVA_BYTE, i + k) == insn[k];
                        }
                        if (match) {
                            return i;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no vDSO we can read: fall back to writing the instruction
        }
        return -1;
    }
}
