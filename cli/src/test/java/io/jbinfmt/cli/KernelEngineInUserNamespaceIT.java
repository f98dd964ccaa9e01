package io.jbinfmt.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --engine kernel} run from inside a user namespace, as rootless containers, bubblewrap and CI jobs run it:
 * {@code unshare --user --map-root-user} as root and as nobody, a namespace with a multi-range map (root inside it,
 * and nobody), namespaces nested twice, and jbinfmt inside jbinfmt. In each the command has exactly the ids it has
 * without jbinfmt, the rule applies and cannot be changed, a daemon dies with a killed jbinfmt, and
 * {@code check --engines} offers the engine; the limits (an unmapped user, a root without CAP_SETUID or CAP_SETGID,
 * the nesting depth) are refused in one line naming them. Names its engine, so it runs once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KernelEngineInUserNamespaceIT {
    /** The multi-range namespace's maps: gids unlike uids, so a gid_map written from the uid_map shows. */
    static final String MULTI_UIDS = "0 0 1\n1 100000 65536\n100000 300000 1000\n";
    static final String MULTI_GIDS = "0 0 1\n1 400000 65536\n70000 500000 10\n";
    /** A namespace inside it, with ranges of its ranges. */
    static final String NESTED_UIDS = "0 0 1\n1000 1000 2000\n100000 100000 10\n";
    static final String NESTED_GIDS = "0 0 1\n1000 1000 2000\n70000 70000 5\n";
    static final List<String> UNSHARE_R = List.of("unshare", "--user", "--map-root-user");
    static final String RULE = ":tst:E::tst::%s/interp.sh:";
    /** The attempts a command makes to change the rules, each one's status printed (tracer's KernelEngineIT's). */
    static final Path CHANGE_THE_RULES = LauncherIT.REPO.resolve("tracer/src/test/sh/change-the-rules.sh");

    @TempDir
    static Path tmp;
    static UserNamespace multi;
    static UserNamespace nested;

    /**
     * Where jbinfmt runs: {@code prefix} puts it there; {@code root} whether it is root in its namespace (then the
     * command has that namespace's maps, else its own uid mapped back to itself).
     */
    record Where(String name, List<String> prefix, boolean root) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void makeNamespaces() throws Exception {
        Assumptions.assumeTrue(EngineUnderTest.name().equals("auto"),
                "KernelEngineInUserNamespaceIT: names its engine, run once (in the default failsafe run)");
        EngineUnderTest.assumeKernelEngineRuns("KernelEngineInUserNamespaceIT", List.of());
        KernelEngineIT.writeFixtures(tmp);
        multi = UserNamespace.of(MULTI_UIDS, MULTI_GIDS);
        nested = multi.nested(NESTED_UIDS, NESTED_GIDS);
    }

    @AfterAll
    static void close() {
        if (nested != null) {
            nested.close();
        }
        if (multi != null) {
            multi.close();
        }
    }

    static List<String> plus(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static Stream<Where> namespaces() {
        return Stream.of(
                new Where("unshare -r, as root", UNSHARE_R, true),
                new Where("unshare -r made by nobody", plus(KernelEngineIT.NOBODY, UNSHARE_R), true),
                new Where("a multi-range map, as root", multi.prefix(), true),
                new Where("a multi-range map, as nobody", plus(multi.prefix(), KernelEngineIT.NOBODY), false),
                new Where("multi-range maps nested twice", nested.prefix(), true),
                new Where("unshare -r nested twice", plus(UNSHARE_R, UNSHARE_R), true));
    }

    /** {@code script} run by sh under {@code prefix}, without jbinfmt: what the command should see. */
    static LauncherIT.Result direct(List<String> prefix, String script, String... args) throws Exception {
        List<String> cmd = plus(prefix, List.of("sh", "-c", script, "sh"));
        cmd.addAll(List.of(args));
        return KernelEngineIT.runIn(tmp, cmd);
    }

    /** The ids a process sees, and (root) its namespace's ranges, inside ids and counts, and setgroups. */
    static final String IDS = "id; for f in uid_map gid_map setgroups; do awk '{ print $1, $NF }' /proc/self/$f; done";

    @ParameterizedTest
    @MethodSource("namespaces")
    void theCommandHasTheIdsItHasWithoutJbinfmt(Where where) throws Exception {
        String script = where.root() ? IDS : "id";
        LauncherIT.Result without = direct(where.prefix(), script);
        assertEquals(0, without.status(), without.err());
        LauncherIT.Result with = KernelEngineIT.run(tmp, where.prefix(), "-v", "--engine", "kernel", "--", "sh", "-c",
                script);
        assertEquals(0, with.status(), with.err());
        assertEquals(without.out(), with.out());
        if (where.root()) {
            String uidMap = direct(where.prefix(), "cat /proc/self/uid_map").out().strip()
                    .replaceAll("[ \t]+", " ").replaceAll("\n ?", ", ").replaceAll("^ ", "");
            assertTrue(with.err().contains("(as root, with the ids of jbinfmt's own user namespace and no others (its "
                    + "uid_map: " + uidMap + "; its gid_map: "), with.err());
        } else {
            assertTrue(with.err().contains("(as this user, with no capabilities)"), with.err());
        }
    }

    @ParameterizedTest
    @MethodSource("namespaces")
    void theRuleAppliesAndTheCommandCannotChangeIt(Where where) throws Exception {
        LauncherIT.Result r = KernelEngineIT.run(tmp, where.prefix(), "--engine", "kernel", "--rule",
                RULE.formatted(tmp), "--", "sh", "-c", "./prog.tst a\n" + Files.readString(CHANGE_THE_RULES));
        assertEquals(0, r.status(), r.err());
        assertEquals("interp: ./prog.tst a\nregister 2\nremove 2\nremount-rw 32\nbind-remount-rw 32\numount 32\n"
                + "ro,nosuid,nodev,noexec,relatime\ninterp: ./prog.tst still\n", r.out());
    }

    @ParameterizedTest
    @MethodSource("namespaces")
    void aDaemonDiesWithAKilledJbinfmt(Where where) throws Exception {
        KernelEngineIT.assertADaemonDiesWithAKilledJbinfmt(tmp, where.prefix());
    }

    @ParameterizedTest
    @MethodSource("namespaces")
    void checkEnginesOffersTheKernelEngine(Where where) throws Exception {
        LauncherIT.Result r = KernelEngineIT.run(tmp, where.prefix(), "check", "--engines");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\nkernel: available: the rules are in a private binfmt_misc, in user and mount "
                + "namespaces of the command's (as " + (where.root() ? "root, with the ids of jbinfmt's own user "
                + "namespace and no others" : "this user, with no capabilities")), r.out());
    }

    /** Files the command chowns to an id of each range belong, on the host, to the ids they do without jbinfmt. */
    @Test
    void theCommandsIdsAreTheHostIdsOfTheEnclosingRanges() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("owners"));
        String script = "for id in 0 1000 100005; do touch $1-u$id; chown $id $1-u$id; done; "
                + "for id in 0 1000 70003; do touch $1-g$id; chgrp $id $1-g$id; done";
        assertEquals(0, direct(multi.prefix(), script, shared + "/without").status());
        LauncherIT.Result r = KernelEngineIT.run(tmp, multi.prefix(), "--engine", "kernel", "--", "sh", "-c",
                script, "sh", shared + "/with");
        assertEquals(0, r.status(), r.err());
        List<String> expected = List.of("g0 0", "g1000 400999", "g70003 500003", "u0 0", "u1000 100999",
                "u100005 300005");
        for (String run : List.of("with", "without")) {
            List<String> owners = new ArrayList<>();
            try (var files = Files.list(shared)) {
                for (Path f : files.filter(f -> f.getFileName().toString().startsWith(run + "-")).sorted().toList()) {
                    String id = f.getFileName().toString().substring(run.length() + 1);
                    owners.add(id + " " + Files.getAttribute(f, id.startsWith("u") ? "unix:uid" : "unix:gid"));
                }
            }
            assertEquals(expected, owners.stream().sorted().toList(), run + " jbinfmt");
        }
    }

    @Test
    void jbinfmtsKernelEngineRunsInsideItself() throws Exception {
        LauncherIT.Result r = KernelEngineIT.run(tmp, multi.prefix(), "--engine", "kernel", "--",
                LauncherIT.LAUNCHER.toString(), "--engine", "kernel", "--rule", RULE.formatted(tmp), "--", "sh", "-c",
                IDS + "; ./prog.tst in");
        assertEquals(0, r.status(), r.err());
        assertEquals(direct(multi.prefix(), IDS).out() + "interp: ./prog.tst in\n", r.out());
    }

    @Test
    void anUnmappedUserIsRefusedNamingIt() throws Exception {
        LauncherIT.Result r = KernelEngineIT.run(tmp, List.of("unshare", "--user"), "--engine", "kernel", "--",
                "true");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertEquals("jbinfmt: --engine kernel: this host refuses a private binfmt_misc "
                + "(unshare(CLONE_NEWUSER|CLONE_NEWNS) in the command's process: Operation not permitted (EPERM)): "
                + "jbinfmt's own user namespace does not map its uid 65534 (its uid_map: empty), and the kernel lets "
                + "only a user it maps make a user namespace (a namespace whose maps were never written, as by "
                + "unshare --user without --map-root-user); write that namespace's maps first, or use --engine "
                + "notify or ptrace\n", r.err());
    }

    @Test
    void aRootWithoutCapSetuidOrCapSetgidIsRefusedNamingIt() throws Exception {
        LauncherIT.Result uid = KernelEngineIT.run(tmp, List.of("setpriv", "--bounding-set=-setuid"), "--engine",
                "kernel", "--", "true");
        assertEquals(ExitCodes.USAGE, uid.status(), uid.err());
        assertTrue(uid.err().matches("jbinfmt: --engine kernel: this host refuses a private binfmt_misc \\(write "
                + "/proc/PID/uid_map in the command's process: Operation not permitted \\(EPERM\\)\\): the uid_map "
                + "\"0 0 4294967295\" was refused: jbinfmt runs as root without CAP_SETUID in its user namespace "
                + "\\(its CapEff is [0-9a-f]+\\), which a map of more than its own id needs; give it back, or use "
                + "--engine notify or ptrace\n"), uid.err());
        LauncherIT.Result gid = KernelEngineIT.run(tmp, plus(multi.prefix(), List.of("setpriv",
                "--bounding-set=-setgid")), "--engine", "kernel", "--", "true");
        assertEquals(ExitCodes.USAGE, gid.status(), gid.err());
        assertTrue(gid.err().contains("the gid_map \"0 0 1, 1 1 65536, 70000 70000 10\" was refused: jbinfmt runs "
                + "as root without CAP_SETGID in its user namespace"), gid.err());
    }

    /** 32 namespaces deep, the kernel engine's second is the 34th: past the kernel's limit. */
    @Test
    void theNestingLimitIsRefusedNamingIt() throws Exception {
        List<String> deep = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            deep.addAll(UNSHARE_R);
        }
        LauncherIT.Result r = KernelEngineIT.run(tmp, deep, "--engine", "kernel", "--", "true");
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertTrue(r.err().startsWith("jbinfmt: --engine kernel: this host refuses a private binfmt_misc (unshare("
                + "CLONE_NEWUSER|CLONE_NEWNS), the inner namespace in the command's process: No space left on device "
                + "(ENOSPC)): a limit on user namespaces is reached: either they nest 33 deep here already, the "
                + "kernel's most"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        deep.subList(0, 6).clear(); // 29 deep, the kernel engine's namespaces are the 30th and 31st
        assertEquals(0, KernelEngineIT.run(tmp, deep, "--engine", "kernel", "--", "true").status());
    }
}
