package io.jbinfmt.tracer.policy;


import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;
import io.jbinfmt.tracer.sys.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exec policy without a kernel: {@link ExecChain} over an in-memory file table. Each case is one the
 * kernel-backed DifferentialIT proves against binfmt_misc; here the argv, flags and failures are pinned exactly,
 * and every file the policy opened must be released (but the one an O rule hands on).
 */
class ExecChainTest {
    static final String PM = "PMAGIC-binary\n";
    final InMemoryTargets files = new InMemoryTargets();
    final AtomicInteger argvReads = new AtomicInteger();

    @AfterEach
    void nothingLeaks() {
        assertTrue(files.open().isEmpty(), "descriptors never released: " + files.open());
    }

    static Rule rule(String line) throws Exception {
        return RuleParser.parse(line.getBytes(), new RuleSource("test", 1));
    }

    static RuleSet rules(String... lines) throws Exception {
        List<Rule> rules = new ArrayList<>();
        for (String l : lines) {
            rules.add(rule(l));
        }
        return RuleSet.registered(rules);
    }

    ExecPlan plan(RuleSet rules, String path, String... argv) {
        return plan(rules, new ExecRequest(42, null, false, ExecRequest.AT_FDCWD, path.getBytes(), 0, 0, 0), argv);
    }

    ExecPlan plan(RuleSet rules, ExecRequest request, String... argv) {
        ExecPlan p = ExecChain.plan(request, rules, files, () -> {
            argvReads.incrementAndGet();
            return Arrays.stream(argv).map(String::getBytes).toList();
        });
        if (p instanceof ExecPlan.Rewrite r && r.openBinary() != null) {
            files.release(r.openBinary()); // as the mechanism does once the exec is done
        }
        return p;
    }

    static List<String> argv(ExecPlan p) {
        return assertInstanceOf(ExecPlan.Rewrite.class, p).argv().stream().map(String::new).toList();
    }

    static ExecPlan.Rewrite rewrite(ExecPlan p) {
        return assertInstanceOf(ExecPlan.Rewrite.class, p);
    }

    static int failure(ExecPlan p) {
        return assertInstanceOf(ExecPlan.Fail.class, p).errno();
    }

    @Test
    void noRulesNoRuleMatchingAndNativeProgramsPassThroughWithoutReadingArgv() throws Exception {
        files.exe("./native", "\u007fELF...").exe("./other", "OTHER");
        assertInstanceOf(ExecPlan.Passthrough.class, plan(RuleSet.empty(), "./native", "native"));
        assertInstanceOf(ExecPlan.Passthrough.class, plan(rules(":pm:M::PMAGIC::/i/probe:"), "./other", "o"));
        assertEquals(0, argvReads.get(), "argv is read only when a rule applies");
    }

    @Test
    void magicReplacesArgv0WithThePath() throws Exception {
        files.exe("./bin", PM).exe("/i/probe", "\u007fELF");
        ExecPlan.Rewrite r = rewrite(plan(rules(":pm:M::PMAGIC::/i/probe:"), "./bin", "bin", "a", "b c"));
        assertEquals(List.of("/i/probe", "./bin", "a", "b c"), argv(r));
        assertEquals("/i/probe", new String(r.path()));
        assertFalse(r.preserveArgv0());
        assertNull(r.openBinary());
        assertEquals("bin", new String(r.comm()));
        assertEquals("./bin", new String(r.filename()));
        assertEquals(List.of("pm"), r.applied().stream().map(x -> new String(x.name())).toList());
    }

    @Test
    void pKeepsArgv0AndSetsTheAuxvFlag() throws Exception {
        files.exe("./bin", PM).exe("/i/probe", "\u007fELF");
        ExecPlan.Rewrite r = rewrite(plan(rules(":pm:M::PMAGIC::/i/probe:P"), "./bin", "custom", "a"));
        assertEquals(List.of("/i/probe", "./bin", "custom", "a"), argv(r));
        assertTrue(r.preserveArgv0());
    }

    @Test
    void oAndCHandTheProgramOnOpen() throws Exception {
        files.exe("./bin", PM).exe("/i/probe", "\u007fELF");
        for (String flags : List.of("O", "C", "PO")) {
            ExecPlan.Rewrite r = rewrite(ExecChain.plan(new ExecRequest(1, null, false, ExecRequest.AT_FDCWD,
                    "./bin".getBytes(), 0, 0, 0), rules(":pm:M::PMAGIC::/i/probe:" + flags), files,
                    () -> List.of("bin".getBytes())));
            assertNotNull(r.openBinary(), flags);
            assertEquals(PM, new String(r.openBinary().header()).substring(0, PM.length()), flags);
            files.release(r.openBinary());
        }
    }

    @Test
    void anEmptyArgvGetsAnEmptyArgv0First() throws Exception {
        files.exe("./bin", PM).exe("/i/probe", "\u007fELF");
        assertEquals(List.of("/i/probe", "./bin"), argv(plan(rules(":pm:M::PMAGIC::/i/probe:"), "./bin")));
        assertEquals(List.of("/i/probe", "./bin", ""), argv(plan(rules(":pm:M::PMAGIC::/i/probe:P"), "./bin")));
    }

    @Test
    void extensionsAreTheTextAfterTheLastDotOfTheLastComponent() throws Exception {
        RuleSet ext = rules(":ext:E::ext::/i/probe:");
        files.exe("/i/probe", "\u007fELF").exe("prog.ext", "x").exe("a.ext/prog", "x").exe("y.tar.ext", "x")
                .exe("y.tar.gz", "x");
        assertEquals(List.of("/i/probe", "prog.ext", "x"), argv(plan(ext, "prog.ext", "p", "x")));
        assertInstanceOf(ExecPlan.Passthrough.class, plan(ext, "a.ext/prog", "p"));
        assertEquals(List.of("/i/probe", "y.tar.ext"), argv(plan(ext, "y.tar.ext", "y")));
        assertInstanceOf(ExecPlan.Passthrough.class, plan(rules(":tgz:E::tar.gz::/i/probe:"), "y.tar.gz", "y"));
    }

    @Test
    void theLaterOfTwoMatchingRulesWins() throws Exception {
        files.exe("./bin", PM).exe("/i/second", "\u007fELF");
        assertEquals("/i/second", new String(rewrite(plan(rules(":first:M::PMAGIC::/i/first:",
                ":second:M::PMAGIC::/i/second:"), "./bin", "bin")).path()));
    }

    @Test
    void aScriptWhoseInterpreterMatchesARule() throws Exception {
        files.exe("./script", "#!/b/bin  arg one \nbody\n").exe("/b/bin", PM).exe("/i/probe", "\u007fELF");
        ExecPlan.Rewrite r = rewrite(plan(rules(":pm:M::PMAGIC::/i/probe:"), "./script", "s", "x"));
        assertEquals(List.of("/i/probe", "/b/bin", "arg one", "./script", "x"), argv(r));
        assertEquals("script", new String(r.comm()), "the process is named after the program exec'd");
    }

    @Test
    void aRulesInterpreterThatIsAScript() throws Exception {
        files.exe("./p.ext", "x").exe("/d/interp", "#!/i/probe -i\n").exe("/i/probe", "\u007fELF");
        ExecPlan.Rewrite r = rewrite(plan(rules(":ext:E::ext::/d/interp:"), "./p.ext", "p", "a"));
        // the rule's interpreter is exec'd; the kernel runs its #! line natively
        assertEquals(List.of("/d/interp", "./p.ext", "a"), argv(r));
        assertEquals("/d/interp", new String(r.path()));
    }

    @Test
    void pThroughAScriptInterpreter() throws Exception {
        files.exe("./p.ext", "x").exe("/d/interp", "#!/i/probe\n").exe("/i/probe", "\u007fELF");
        ExecPlan.Rewrite r = rewrite(plan(rules(":p:E::ext::/d/interp:P"), "./p.ext", "zero", "one"));
        assertEquals(List.of("/d/interp", "./p.ext", "zero", "one"), argv(r));
        assertTrue(r.preserveArgv0());
    }

    @Test
    void thePlanSaysWhenItsPathIsAnElfProgramAndOfWhichMachine() throws Exception {
        String x86_64 = "\u007fELF\u0002\u0001\u0001" + "\u0000".repeat(9) + "\u0002\u0000\u003e\u0000";
        String i386 = "\u007fELF\u0001\u0001\u0001" + "\u0000".repeat(9) + "\u0002\u0000\u0003\u0000";
        String s390x = "\u007fELF\u0002\u0002\u0001" + "\u0000".repeat(9) + "\u0000\u0002\u0000\u0016";
        files.exe("./p.a", "x").exe("./p.b", "x").exe("./p.c", "x").exe("./p.d", "x")
                .exe("/i/x86_64", x86_64).exe("/i/i386", i386).exe("/i/s390x", s390x)
                .exe("/d/interp", "#!/i/x86_64\n").exe("/i/short", "\u007fELF");
        RuleSet r = rules(":a:E::a::/i/x86_64:", ":b:E::b::/i/i386:", ":c:E::c::/i/s390x:", ":d:E::d::/d/interp:");
        assertEquals(62, rewrite(plan(r, "./p.a", "p")).pathElfMachine());
        assertEquals(3, rewrite(plan(r, "./p.b", "p")).pathElfMachine());
        assertEquals(22, rewrite(plan(r, "./p.c", "p")).pathElfMachine(), "a big-endian header");
        assertEquals(-1, rewrite(plan(r, "./p.d", "p")).pathElfMachine(), "a script: the kernel hands its name on");
        assertEquals(-1, ExecChain.elfMachine("\u007fELF".getBytes()), "too short for e_machine");
        assertEquals(-1, ExecChain.elfMachine(("MZ" + "\u0000".repeat(30)).getBytes()));
    }

    /** p.c, and scripts /s/s1../s/sN where s(k) runs s(k-1) and s1 runs the probe. */
    void chain(int n) {
        files.exe("./p.c", "x").exe("/s/s1", "#!/i/probe\n").exe("/i/probe", "\u007fELF");
        for (int k = 2; k <= n; k++) {
            files.exe("/s/s" + k, "#!/s/s" + (k - 1) + "\n");
        }
    }

    @Test
    void fiveRewritesRunAndTheSixthFailsWithEloop() throws Exception {
        chain(4);
        assertEquals("/s/s4", new String(rewrite(plan(rules(":c:E::c::/s/s4:"), "./p.c", "p")).path()));
        chain(5);
        assertEquals(Errno.ELOOP.code, failure(plan(rules(":c:E::c::/s/s5:"), "./p.c", "p")));
    }

    @Test
    void aRuleMatchingItsOwnInterpreterLoopsToEloop() throws Exception {
        files.exe("/d/loop", "LOOPMAGIC\n");
        assertEquals(Errno.ELOOP.code, failure(plan(rules(":self:M::LOOPMAGIC::/d/loop:"), "/d/loop", "l")));
    }

    @Test
    void aMissingOrNonExecutableInterpreterIsExecdSoTheKernelSaysWhy() throws Exception {
        files.exe("./p.ext", "x").plain("/d/noexec", "#!/bin/sh\n");
        assertEquals("/d/missing", new String(rewrite(plan(rules(":m:E::ext::/d/missing:"), "./p.ext", "p")).path()));
        assertEquals("/d/noexec", new String(rewrite(plan(rules(":m:E::ext::/d/noexec:"), "./p.ext", "p")).path()));
    }

    @Test
    void aProgramThatIsNotExecutableIsLeftToTheKernelThoughARuleOrHashBangWouldTakeIt() throws Exception {
        files.plain("./p.ext", "x").plain("./s", "#!/i/probe\n").exe("/i/probe", "\u007fELF");
        assertInstanceOf(ExecPlan.Passthrough.class, plan(rules(":m:E::ext::/i/probe:"), "./p.ext", "p"));
        assertInstanceOf(ExecPlan.Passthrough.class, plan(rules(":m:E::ext::/i/probe:"), "./s", "s"));
        assertEquals(0, argvReads.get());
    }

    @Test
    void aSixthInterpreterThatIsNotExecutableFailsAsItsOpenWouldNotWithEloop() throws Exception {
        chain(5);
        files.plain("/i/probe", "\u007fELF"); // the sixth interpreter, after p.c's rule and five scripts
        assertEquals("/s/s5", new String(rewrite(plan(rules(":c:E::c::/s/s5:"), "./p.c", "p")).path()));
    }

    @Test
    void anOpenBinaryRuleWhoseInterpreterIsNotExecutableIsExecdSoTheKernelSaysWhy() throws Exception {
        files.exe("./p.ext", "x").plain("/d/interp", "#!/i/probe\n").exe("/i/probe", "\u007fELF");
        ExecPlan.Rewrite r = rewrite(plan(rules(":o:E::ext::/d/interp:O"), "./p.ext", "p"));
        assertEquals("/d/interp", new String(r.path()));
        assertNull(r.openBinary(), "as when its open fails: nothing handed on");
    }

    @Test
    void anOpenBinaryRuleWhoseInterpreterIsAScriptFailsWithEnoexec() throws Exception {
        files.exe("./p.ext", "x").exe("/d/interp", "#!/i/probe\n").exe("/i/probe", "\u007fELF");
        assertEquals(Errno.ENOEXEC.code, failure(plan(rules(":o:E::ext::/d/interp:O"), "./p.ext", "p")));
    }

    @Test
    void aRuleClaimingAScriptWinsOverTheHashBang() throws Exception {
        files.exe("./s.ext", "#!/bin/false\n").exe("/i/probe", "\u007fELF");
        assertEquals(List.of("/i/probe", "./s.ext"), argv(plan(rules(":ext:E::ext::/i/probe:"), "./s.ext", "s")));
    }

    @Test
    void extraArgumentsFollowTheInterpreterAndEnvironmentEntriesAreCarried() throws Exception {
        files.exe("./t.wasm", "\0asm").exe("/i/run", "\u007fELF");
        Rule r = rule(":w:E::wasm::/i/run:").withExtraArg("run".getBytes()).withExtraArg("--dir=.".getBytes())
                .withExtraEnv("K=v".getBytes());
        ExecPlan.Rewrite w = rewrite(plan(RuleSet.registered(List.of(r)), "./t.wasm", "t", "x"));
        assertEquals(List.of("/i/run", "run", "--dir=.", "./t.wasm", "x"), argv(w));
        assertEquals(List.of("K=v"), w.env().stream().map(String::new).toList());
    }

    @Test
    void aDescriptorRelativeExecNamesTheProgramByDevFd() throws Exception {
        files.exe("/dev/fd/3/p.ext", "x").exe("/i/probe", "\u007fELF");
        ExecRequest at = new ExecRequest(42, null, true, 3, "p.ext".getBytes(), 0, 0, 0);
        assertEquals(List.of("/i/probe", "/dev/fd/3/p.ext"), argv(plan(rules(":ext:E::ext::/i/probe:"), at, "p")));
        files.cloexec(3);
        assertEquals(Errno.ENOENT.code, failure(plan(rules(":ext:E::ext::/i/probe:"), at, "p")),
                "the interpreter could never open /dev/fd/3 once the exec closed it");
    }

    @Test
    void anUnreadableArgvFailsTheExecWithItsErrno() throws Exception {
        files.exe("./bin", PM).exe("/i/probe", "\u007fELF");
        ExecPlan p = ExecChain.plan(new ExecRequest(1, null, false, ExecRequest.AT_FDCWD, "./bin".getBytes(), 0, 0,
                0), rules(":pm:M::PMAGIC::/i/probe:"), files, () -> {
            throw new ExecFailure(Errno.EFAULT.code, "bad argv pointer");
        });
        assertEquals(Errno.EFAULT.code, failure(p));
    }
}
