package io.jbinfmt.tracer.differential;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.KernelFeatures;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.TestPrograms;
import io.jbinfmt.tracer.differential.DifferentialRun.FileSpec;
import io.jbinfmt.tracer.differential.DifferentialRun.Observation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * jbinfmt against the kernel for processes whose identity or view changed before they exec a foreign program:
 * ids dropped, capabilities dropped, non-dumpable, a setuid-root program run by nobody (with and without
 * no_new_privs), a user namespace of their own, a mount namespace of their own, a chroot; each with no flag and
 * with P, O, C and F. The probe interpreter reports what it was handed and the identity it runs with.
 * <p>
 * The kernel's answers come from a private binfmt_misc in a user and mount namespace that maps uids and gids
 * 0..65535 to themselves (the userns helper), run with this JVM's capability bounding set, so that root, nobody
 * and a setuid-root program behave there as on the host. Changing ids needs root: run as a user, the class says
 * so in one line and runs nothing.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class IdentityDifferentialIT {
    @TempDir
    static Path base;

    static DifferentialRun run;
    static final Map<String, Observation> KERNEL = new TreeMap<>();
    /** Each case's result under the engine of this run, for the table printed at the end. */
    static final Map<String, String> RESULTS = new java.util.concurrent.ConcurrentSkipListMap<>();
    static final String PM = "PMAGIC-binary-content\n";
    static final String NOBODY = "65534";
    /** A case that has not ended by then hangs: it fails, and the run goes on. */
    static final Duration HANG = Duration.ofSeconds(20);

    /**
     * A change of identity or view made before the exec: the execer's prefix arguments, the files it needs, the
     * foreign program's path and the interpreter's as the exec'ing process sees them, the interpreter for F (opened
     * when the rule is registered, in the oracle's view), and what the kernel's output must show.
     */
    record Identity(String name, List<String> prefix, List<FileSpec> files, String program, String interpreter,
                    String interpreterF, List<String> expect) {
    }

    /** One case: {@code expect} must all appear in the kernel's output, so the case tests what it says. */
    record Case(String name, List<String> rules, List<FileSpec> files, List<String> command, List<String> expect) {
    }

    static final List<String> FLAGS = List.of("", "P", "O", "C", "F");

    static List<Identity> identities() {
        FileSpec probe = FileSpec.copy("probe", "@PROBESTATIC@");
        // nobody may execute the foreign program but not read it; root may do both
        FileSpec prog = FileSpec.exe("prog", PM).mode(0711).ownedBy(0);
        FileSpec progOfNobody = FileSpec.exe("prog", PM).mode(0711).ownedBy(65534);
        FileSpec suidExecer = FileSpec.copy("suid-execer", "@EXECER@").ownedBy(0).mode(04755);
        List<String> asNobody = List.of("setid", NOBODY, NOBODY);
        String nobodyIds = "uids=65534,65534,65534";
        List<Identity> ids = new ArrayList<>();
        ids.add(new Identity("root, nothing changed", List.of(), List.of(probe, prog), "./prog", "@DIR@/probe",
                "@DIR@/probe", List.of("uids=0,0,0")));
        ids.add(new Identity("setid to nobody", asNobody, List.of(probe, prog), "./prog", "@DIR@/probe",
                "@DIR@/probe", List.of(nobodyIds, "gids=65534,65534,65534")));
        ids.add(new Identity("setid to nobody, an interpreter only root may run", asNobody,
                List.of(probe.mode(0700).ownedBy(0), prog), "./prog", "@DIR@/probe", "@DIR@/probe",
                List.of()));
        // a process that changed its uid is not dumpable: its exec is still checked with its own credentials
        ids.add(new Identity("setid to nobody, a program only root may run", asNobody,
                List.of(probe, FileSpec.exe("prog", PM).mode(0700).ownedBy(0)), "./prog", "@DIR@/probe",
                "@DIR@/probe", List.of("errno=EACCES")));
        // the program itself is executable by all, but the directory it is in is closed to nobody: the walk of
        // the path named, not just the file, is checked with the process's credentials
        ids.add(new Identity("setid to nobody, a program in a directory only root may search", asNobody,
                List.of(probe, FileSpec.dir("locked").ownedBy(0).mode(0700), FileSpec.exe("locked/prog", PM)),
                "@DIR@/locked/prog", "@DIR@/probe", "@DIR@/probe", List.of("errno=EACCES")));
        // a supplementary group, and only it, lets nobody execute the program (not read it)
        ids.add(new Identity("setid to nobody in a group that may run the program",
                List.of("setid-group", NOBODY, NOBODY, "4242"),
                List.of(probe, FileSpec.exe("prog", PM).ownedBy(0, 4242).mode(0710)), "./prog", "@DIR@/probe",
                "@DIR@/probe", List.of(nobodyIds, "groups=4242,")));
        ids.add(new Identity("seteuid to nobody and back (root, non-dumpable)", List.of("seteuid-and-back", NOBODY),
                List.of(probe, prog), "./prog", "@DIR@/probe", "@DIR@/probe", List.of("uids=0,0,0")));
        ids.add(new Identity("non-dumpable root", List.of("nodump"), List.of(probe, prog), "./prog", "@DIR@/probe",
                "@DIR@/probe", List.of("uids=0,0,0")));
        ids.add(new Identity("setid to nobody, then non-dumpable", List.of("setid", NOBODY, NOBODY, "nodump"),
                List.of(probe, prog), "./prog", "@DIR@/probe", "@DIR@/probe", List.of(nobodyIds)));
        // root without capabilities: nobody's program is executable by others but not readable
        ids.add(new Identity("root without capabilities", List.of("capdrop"), List.of(probe, progOfNobody),
                "./prog", "@DIR@/probe", "@DIR@/probe", List.of("uids=0,0,0", "cap_eff=0000000000000000")));
        ids.add(new Identity("a setuid-root program run by nobody",
                List.of("setid", NOBODY, NOBODY, "exec", "@DIR@/suid-execer", "suid-execer"),
                List.of(probe, prog, suidExecer), "./prog", "@DIR@/probe", "@DIR@/probe",
                List.of("uids=65534,0,0", "at_secure=1")));
        ids.add(new Identity("a setuid-root program run by nobody with no_new_privs",
                List.of("nnp", "setid", NOBODY, NOBODY, "exec", "@DIR@/suid-execer", "suid-execer"),
                List.of(probe, prog, suidExecer), "./prog", "@DIR@/probe", "@DIR@/probe",
                List.of(nobodyIds, "no_new_privs=1")));
        // a foreign program that is itself setuid-root: only C takes the credentials from it
        FileSpec suidProg = FileSpec.exe("prog", PM).ownedBy(0).mode(04755);
        ids.add(new Identity("nobody runs a setuid-root foreign program", asNobody, List.of(probe, suidProg),
                "./prog", "@DIR@/probe", "@DIR@/probe", List.of()));
        ids.add(new Identity("nobody with no_new_privs runs a setuid-root foreign program",
                List.of("nnp", "setid", NOBODY, NOBODY), List.of(probe, suidProg), "./prog", "@DIR@/probe",
                "@DIR@/probe", List.of(nobodyIds, "no_new_privs=1")));
        // root of a user namespace of its own: nobody's files are foreign there (unmapped), as on the host
        ids.add(new Identity("a user namespace of its own", List.of("userns"), List.of(probe, progOfNobody),
                "./prog", "@DIR@/probe", "@DIR@/probe", List.of("uids=0,0,0", "cap_eff=" + everyCapability())));
        // the program and the interpreter exist only under a bind mount of the exec'ing process's namespace
        ids.add(new Identity("a mount namespace of its own", List.of("mountns", "@DIR@/src", "@DIR@/dst"),
                List.of(FileSpec.dir("src"), FileSpec.dir("dst"), FileSpec.copy("src/probe", "@PROBESTATIC@"),
                        FileSpec.exe("src/prog", PM).mode(0711)),
                "@DIR@/dst/prog", "@DIR@/dst/probe", "@DIR@/src/probe", List.of("uids=0,0,0")));
        // a bare chroot (no /proc inside): the interpreter inside the root, or for F outside it
        ids.add(new Identity("chroot", List.of("chroot", "@DIR@", "/"), List.of(probe, prog), "/prog", "/probe",
                "@DIR@/probe", List.of("cwd=/", "fds=unknown")));
        return ids;
    }

    /** The effective set of root in a new user namespace: every capability this kernel knows. */
    static String everyCapability() {
        try {
            // not Files.readString: it reads 1 byte, then at offset 1, where a sysctl number reads as empty
            int last = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).getFirst().trim());
            return String.format("%016x", (1L << (last + 1)) - 1);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (Identity id : identities()) {
            for (String flags : FLAGS) {
                String interpreter = flags.contains("F") ? id.interpreterF() : id.interpreter();
                List<String> command = new ArrayList<>(id.prefix());
                command.addAll(List.of("exec", id.program(), "zero", "a"));
                List<String> expect = new ArrayList<>(id.expect());
                expect.addAll(expected(id, flags, interpreter));
                cases.add(new Case(id.name() + ", " + (flags.isEmpty() ? "no flag" : flags),
                        List.of(":pm:M::PMAGIC::" + interpreter + ":" + flags), id.files(), command, expect));
            }
        }
        // the issue's reproduction: nobody runs a foreign program through /bin/echo with O and P
        cases.add(new Case("setid to nobody, OP, /bin/echo (the issue's reproduction)",
                List.of(":jbo:M::JBOCRED::/bin/echo:OP"), List.of(FileSpec.exe("f.jbo", "JBOCRED\n")),
                List.of("setid", NOBODY, NOBODY, "exec", "./f.jbo", "./f.jbo", "hi"), List.of("./f.jbo ./f.jbo hi")));
        return cases;
    }

    /** What the kernel's output shows for {@code flags} under identity {@code id}. */
    static List<String> expected(Identity id, String flags, String interpreter) {
        if (id.name().contains("a program only root may run")
                || id.name().contains("a directory only root may search")) {
            return List.of(); // the kernel refuses the program itself, whatever the rule
        }
        if (id.name().contains("only root may run") && !flags.contains("F")) {
            return List.of("errno=EACCES"); // F: the interpreter was opened by root, when the rule was registered
        }
        List<String> e = new ArrayList<>(List.of("argv[0]=" + interpreter, "argv[1]=" + id.program()));
        if (id.name().contains("only root may run")) {
            e.add("uids=65534,65534,65534");
        }
        if (id.name().startsWith("nobody runs a setuid-root")) {
            e.add(flags.contains("C") ? "uids=65534,0,0" : "uids=65534,65534,65534");
        }
        switch (flags) {
            case "" -> e.addAll(List.of("at_flags=0", "at_execfd=none", "argv[2]=a"));
            case "P" -> e.addAll(List.of("at_flags=1", "argv[2]=zero", "argv[3]=a"));
            case "O", "C" -> e.add("at_execfd=3");
            default -> { }
        }
        return e;
    }

    static Path dirOf(int i) {
        return base.resolve("case" + i);
    }

    @BeforeAll
    static void runAllCasesUnderTheKernel() throws Exception {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("Uid:"))
                .findFirst().orElseThrow().split("\\s+")[2];
        Assumptions.assumeTrue("0".equals(uid), "IdentityDifferentialIT: not run: its cases change ids and "
                + "capabilities, which needs root, and this JVM runs as uid " + uid);
        KernelFeatures.Feature oracle = KernelFeatures.binfmtInUserNamespace();
        Assumptions.assumeTrue(oracle.present(), () -> KernelFeatures.adapting("IdentityDifferentialIT", oracle,
                "no case can be compared with the kernel here"));
        Path execer = TestPrograms.get("execer");
        run = new DifferentialRun(execer, Map.of("PROBESTATIC", TestPrograms.getStatic("probe"), "EXECER", execer));
        // nobody must reach the case directories
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Case> cases = cases();
        List<DifferentialRun.Exec> execs = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            run.makeFiles(dirOf(i), cases.get(i).files());
            execs.add(new DifferentialRun.Exec(cases.get(i).rules(), cases.get(i).command(), dirOf(i)));
        }
        List<Observation> seen = run.underTheKernel(execs, base, List.of(TestPrograms.get("userns").toString()));
        for (int i = 0; i < cases.size(); i++) {
            KERNEL.put(cases.get(i).name(), seen.get(i));
        }
    }

    @TestFactory
    Stream<DynamicTest> jbinfmtGivesTheKernelsResult() {
        return tests(SessionOptions.defaults().engine());
    }

    /** A difference from the kernel that user space cannot avoid: why, and what jbinfmt gives instead. */
    record Known(String why, String jbinfmtGives) {
    }

    /** The user-space engines' known differences (README, "Where jbinfmt and the kernel still differ"). */
    static final Map<String, Known> KNOWN = Map.of(
            "setid to nobody, an interpreter only root may run, F", new Known("the kernel runs an F interpreter it "
                    + "opened at registration whatever the caller may execute; a process can exec only what its "
                    + "credentials may", "errno=EACCES"),
            "nobody runs a setuid-root foreign program, C", new Known("C takes the credentials from the program's "
                    + "setuid bit, which only the kernel can grant", "uids=65534,65534,65534"));

    @TestFactory
    Stream<DynamicTest> theKernelEngineGivesTheKernelsResult() {
        Assumptions.assumeFalse("ptrace".equals(System.getenv(Engine.ENVIRONMENT_VARIABLE)),
                "IdentityDifferentialIT: the kernel engine's cases run once (in the default failsafe run)");
        return tests(Engine.KERNEL);
    }

    Stream<DynamicTest> tests(Engine engine) {
        List<Case> cases = cases();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case k = cases.get(i);
            Path dir = dirOf(i);
            String key = engine.spelling() + " | " + String.format("%02d ", i) + k.name();
            tests.add(DynamicTest.dynamicTest(k.name() + " [" + engine.spelling() + "]", () -> {
                Observation kernel = KERNEL.get(k.name());
                RESULTS.put(key, "not tested: the kernel's output is not what the case says");
                for (String e : k.expect()) {
                    assertTrue(kernel.output().contains(run.fill(e, dir)), "the case does not test what it says: "
                            + "the kernel's output lacks '" + e + "':\n" + kernel.output());
                }
                if (k.expect().stream().noneMatch(e -> e.startsWith("errno="))) {
                    assertFalse(kernel.output().contains("errno="), "a prefix failed under the kernel:\n"
                            + kernel.output());
                }
                RESULTS.put(key, "hangs");
                Observation ours;
                try {
                    Files.deleteIfExists(dir.resolve("jb.out"));
                    ours = assertTimeoutPreemptively(HANG,
                            () -> run.underJbinfmt(k.name(), new DifferentialRun.Exec(k.rules(), k.command(), dir),
                                    engine), "jbinfmt hung on this case");
                } catch (Throwable e) {
                    boolean hung = String.valueOf(e.getMessage()).contains("timed out");
                    RESULTS.put(key, hung ? "hangs" : "fails: " + firstLine(String.valueOf(e.getMessage())));
                    Path partial = dir.resolve("jb.out");
                    throw new AssertionError(e.getMessage() + "\n--- kernel (status " + kernel.status() + "):\n"
                            + kernel.output() + "--- jbinfmt's program wrote:\n"
                            + (Files.exists(partial) ? Files.readString(partial) : "(nothing)"), e);
                }
                String how = ours.equals(kernel) ? "identical" : "differs: " + difference(kernel, ours);
                Known known = engine == Engine.KERNEL ? null : KNOWN.get(k.name());
                if (known != null) {
                    // what user space cannot do: jbinfmt must give what the README says, and say so when that changes
                    RESULTS.put(key, "known difference (" + known.why() + "): " + how);
                    assertTrue(ours.output().contains(known.jbinfmtGives()), "the known difference changed: "
                            + how + "\n--- jbinfmt:\n" + ours.output());
                    assertFalse(ours.equals(kernel), "now identical to the kernel: no longer a known difference");
                    return;
                }
                RESULTS.put(key, how);
                if (!ours.equals(kernel)) {
                    fail("jbinfmt (" + engine.spelling() + ") differs from the kernel: " + how
                            + "\n--- kernel (status " + kernel.status() + "):\n" + kernel.output()
                            + "--- jbinfmt (status " + ours.status() + "):\n" + ours.output());
                }
                assertEquals(kernel, ours);
            }));
        }
        return tests.stream();
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** The first line that differs (or the status), in one line. */
    static String difference(Observation kernel, Observation ours) {
        List<String> a = kernel.output().lines().toList();
        List<String> b = ours.output().lines().toList();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            String x = i < a.size() ? a.get(i) : "(nothing)";
            String y = i < b.size() ? b.get(i) : "(nothing)";
            if (!x.equals(y)) {
                return "kernel '" + x + "', jbinfmt '" + y + "'";
            }
        }
        return "status " + kernel.status() + " vs " + ours.status();
    }

    @AfterAll
    static void table() {
        if (RESULTS.isEmpty()) {
            return;
        }
        StringBuilder t = new StringBuilder("IdentityDifferentialIT: engine | case | result against the kernel\n");
        RESULTS.forEach((k, v) -> t.append("  ").append(k).append(" | ").append(v).append('\n'));
        long identical = RESULTS.values().stream().filter("identical"::equals).count();
        t.append("IdentityDifferentialIT: ").append(RESULTS.size()).append(" runs, ").append(identical)
                .append(" identical to the kernel, ").append(RESULTS.size() - identical).append(" not");
        System.out.println(t);
    }
}
