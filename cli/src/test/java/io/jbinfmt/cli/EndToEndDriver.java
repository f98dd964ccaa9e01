package io.jbinfmt.cli;

import org.junit.jupiter.api.BeforeAll;

import java.util.List;

/**
 * The end-to-end tests that failsafe runs a third time under the kernel engine (cli/pom.xml): on a host where that
 * engine cannot run, that pass checks its refusal and says so in one line instead of failing every test.
 */
interface EndToEndDriver {
    @BeforeAll
    static void kernelEngineRunsHereWhenAskedFor() {
        if (EngineUnderTest.name().equals("kernel")) {
            EngineUnderTest.assumeKernelEngineRuns("the kernel-engine pass", List.of());
        }
    }
}
