package io.jbinfmt.tracer.differential;

import io.jbinfmt.tracer.Engine;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * DifferentialIT's cases under {@code Engine.KERNEL}: the kernel engine registers the rules in a private
 * binfmt_misc of the command's own, so each case must end exactly as under the oracle (the kernel in
 * {@code unshare --user --map-root-user --mount}), output and status. Names the engine itself, so it runs once
 * (not again in the failsafe run that sets $JBINFMT_ENGINE=ptrace for the other ITs).
 */
class KernelDifferentialIT {
    @TempDir
    static Path base;

    @BeforeAll
    static void runAllCasesUnderTheKernel() throws Exception {
        Assumptions.assumeFalse("ptrace".equals(System.getenv(Engine.ENVIRONMENT_VARIABLE)),
                "KernelDifferentialIT: names its engine, run once (in the default failsafe run)");
        DifferentialIT.base = base;
        DifferentialIT.runAllCasesUnderTheKernel();
    }

    @TestFactory
    Stream<DynamicTest> theKernelEngineIsTheKernel() {
        List<DifferentialIT.Case> cases = DifferentialIT.cases();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            DifferentialIT.Case k = cases.get(i);
            Path dir = DifferentialIT.dirOf(i);
            tests.add(DynamicTest.dynamicTest(k.name(), () -> {
                DifferentialRun.Observation kernel = DifferentialIT.KERNEL.get(k.name());
                DifferentialRun.Observation ours = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                        () -> DifferentialIT.underJbinfmt(k, dir, Engine.KERNEL), "the kernel engine hung");
                assertEquals(kernel.output(), ours.output(), "output differs");
                assertEquals(kernel.status(), ours.status(), "exit status differs");
            }));
        }
        return tests.stream();
    }
}
