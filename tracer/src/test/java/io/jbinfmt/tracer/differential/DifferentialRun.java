package io.jbinfmt.tracer.differential;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.ExitStatus;
import io.jbinfmt.tracer.Session;
import io.jbinfmt.tracer.SessionOptions;
import io.jbinfmt.tracer.rules.Rule;
import io.jbinfmt.tracer.rules.RuleParser;
import io.jbinfmt.tracer.rules.RuleSet;
import io.jbinfmt.tracer.rules.RuleSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the differential tests share: the files a case needs, the same execs (through the execer helper) run under
 * the kernel's binfmt_misc (mounted privately in a user namespace) and under jbinfmt, and what each run shows.
 * {@code programs} fills the placeholders: {@code @NAME@} in a rule, file or argument becomes that program's path,
 * {@code @DIR@} the case's directory.
 */
record DifferentialRun(Path execer, Map<String, Path> programs) {

    /** A file a case needs: text with placeholders filled in, or a symlink; mode, uid and gid set unless -1. */
    record FileSpec(String name, String content, boolean executable, String linkTo, int mode, int uid, int gid) {
        FileSpec(String name, String content, boolean executable, String linkTo) {
            this(name, content, executable, linkTo, -1, -1, -1);
        }

        static FileSpec exe(String name, String content) {
            return new FileSpec(name, content, true, null);
        }

        static FileSpec plain(String name, String content) {
            return new FileSpec(name, content, false, null);
        }

        static FileSpec dir(String name) {
            return new FileSpec(name, null, false, null);
        }

        static FileSpec link(String name, String target) {
            return new FileSpec(name, null, false, target);
        }

        static FileSpec executeOnly(String name, String content) {
            return new FileSpec(name, content, true, "|--x");
        }

        /** A copy of the file {@code source} names (after filling in), executable. */
        static FileSpec copy(String name, String source) {
            return new FileSpec(name, source, true, "|copy");
        }

        static FileSpec fifo(String name) {
            return new FileSpec(name, null, true, "|fifo");
        }

        /** This file with mode {@code octal} (set-user-ID bits included) once made. */
        FileSpec mode(int octal) {
            return new FileSpec(name, content, executable, linkTo, octal, uid, gid);
        }

        /** This file owned by user and group {@code id} once made. */
        FileSpec ownedBy(int id) {
            return ownedBy(id, id);
        }

        /** This file owned by user {@code user} and group {@code group} once made. */
        FileSpec ownedBy(int user, int group) {
            return new FileSpec(name, content, executable, linkTo, mode, user, group);
        }
    }

    /** What one run of a case showed: the output of the exec'ing program (or its interpreter), and its status. */
    record Observation(String output, int status) {
    }

    /** One exec to compare: the rules registered, the execer's arguments, the directory it runs in. */
    record Exec(List<String> rules, List<String> command, Path dir) {
    }

    String fill(String s, Path dir) {
        for (Map.Entry<String, Path> p : programs.entrySet()) {
            s = s.replace("@" + p.getKey() + "@", p.getValue().toString());
        }
        return s.replace("@DIR@", dir.toString());
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    static List<String> environment(Path dir) {
        return List.of("PATH=" + dir + "/bin:/usr/bin:/bin", "HOME=/", "LC_ALL=C");
    }

    void makeFiles(Path dir, List<FileSpec> files) throws Exception {
        Files.createDirectories(dir);
        for (FileSpec f : files) {
            Path p = dir.resolve(f.name());
            if ("|fifo".equals(f.linkTo())) {
                Process mk = new ProcessBuilder("mkfifo", "-m", "755", p.toString()).inheritIO().start();
                assertEquals(0, mk.waitFor(), "mkfifo");
            } else if ("|copy".equals(f.linkTo())) {
                Files.copy(Path.of(fill(f.content(), dir)), p);
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            } else if ("|--x".equals(f.linkTo())) {
                Files.writeString(p, fill(f.content(), dir));
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("--x--x--x"));
            } else if (f.linkTo() != null) {
                Files.createSymbolicLink(p, Path.of(f.linkTo()));
            } else if (f.content() == null) {
                Files.createDirectories(p);
            } else {
                Files.writeString(p, fill(f.content(), dir));
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(f.executable() ? "rwxr-xr-x" : "rw-r--r--"));
            }
            // owner first: chown clears the set-user-ID bit
            if (f.uid() >= 0) {
                Files.setAttribute(p, "unix:uid", f.uid());
                Files.setAttribute(p, "unix:gid", f.gid());
            }
            if (f.mode() >= 0) {
                Files.setAttribute(p, "unix:mode", f.mode());
            }
        }
    }

    /**
     * Runs every exec under the kernel: one shell script, run by {@code launcher} (which puts it in a user and
     * mount namespace where binfmt_misc can be mounted), registers each exec's rules and runs it; what it shows
     * comes back in the same order. The execer runs with this JVM's capability bounding set, as the programs
     * jbinfmt starts do: a new user namespace starts with every capability, which the host's processes may not
     * have.
     */
    List<Observation> underTheKernel(List<Exec> execs, Path scriptDir, List<String> launcher) throws Exception {
        StringBuilder script = new StringBuilder("""
                b=/proc/sys/fs/binfmt_misc
                mount -t binfmt_misc binfmt_misc $b || exit 99
                """);
        String bounding = boundingSet();
        for (Exec e : execs) {
            Path dir = e.dir();
            script.append("echo -1 > $b/status\n");
            for (String rule : e.rules()) {
                String line = fill(rule, dir);
                String name = line.substring(1, line.indexOf(line.charAt(0), 1));
                // as systemd-binfmt does: a rule of the same name is removed first
                script.append("[ -e $b/").append(name).append(" ] && echo -1 > $b/").append(name).append('\n');
                script.append("printf '%s' ").append(quote(line)).append(" > $b/register || echo REGISTER-FAILED\n");
            }
            script.append("( cd ").append(quote(dir.toString())).append(" && PATH=").append(quote(dir + "/bin:/usr/bin:/bin"))
                    .append(" && exec ").append(quote(execer.toString())).append(" capbset ").append(bounding);
            for (String a : e.command()) {
                script.append(' ').append(quote(fill(a, dir)));
            }
            script.append(" > kernel.out 2>&1 ); echo $? > ").append(quote(dir.resolve("kernel.rc").toString()))
                    .append('\n');
        }
        script.append("echo -1 > $b/status\n");
        Path sh = scriptDir.resolve("kernel.sh");
        Files.writeString(sh, script);
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of("/bin/sh", sh.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/bin:/bin");
        pb.environment().put("HOME", "/");
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        assertEquals(0, rc, "the kernel oracle did not run (needs Linux 6.7+ user namespaces): " + out);
        assertTrue(!out.contains("REGISTER-FAILED"), "the kernel refused a rule: " + out);
        List<Observation> seen = new ArrayList<>();
        for (Exec e : execs) {
            seen.add(new Observation(Files.readString(e.dir().resolve("kernel.out"), StandardCharsets.ISO_8859_1),
                    Integer.parseInt(Files.readString(e.dir().resolve("kernel.rc")).trim())));
        }
        return seen;
    }

    /** This JVM's capability bounding set (CapBnd), in hex: what the programs jbinfmt starts inherit. */
    static String boundingSet() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                .map(l -> l.substring("CapBnd:".length()).trim()).findFirst()
                .orElseThrow(() -> new IllegalStateException("no CapBnd in /proc/self/status"));
    }

    /** The exec {@code e} run by jbinfmt under {@code engine}. */
    Observation underJbinfmt(String name, Exec e, Engine engine) throws Exception {
        Path dir = e.dir();
        List<Rule> rules = new ArrayList<>();
        for (String line : e.rules()) {
            rules.add(RuleParser.parse(fill(line, dir).getBytes(StandardCharsets.ISO_8859_1), new RuleSource(name, 0)));
        }
        List<byte[]> command = new ArrayList<>();
        for (String a : List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" > jb.out 2>&1", execer.toString())) {
            command.add(a.getBytes());
        }
        for (String a : e.command()) {
            command.add(fill(a, dir).getBytes());
        }
        List<byte[]> env = environment(dir).stream().map(String::getBytes).toList();
        SessionOptions options = SessionOptions.defaults().withEngine(engine).withRules(RuleSet.registered(rules))
                .withEnvironment(env).withDirectory(dir.toString().getBytes());
        try (Session s = Session.start(options, command)) {
            ExitStatus status = s.waitFor();
            String output = Files.readString(dir.resolve("jb.out"), StandardCharsets.ISO_8859_1);
            assertTrue(!s.disturbed(), "the tracer logged errors; the command ended " + status
                    + " and its output was:\n" + output);
            return new Observation(output, status.shellStatus());
        }
    }
}
