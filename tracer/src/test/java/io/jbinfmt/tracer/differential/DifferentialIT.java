package io.jbinfmt.tracer.differential;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jbinfmt against the kernel: each case registers the same rules in a private kernel binfmt_misc and in jbinfmt,
 * runs the same exec (through the execer helper) from the same directory and environment, and compares what
 * comes out: the probe interpreter's report (argv, AT_FLAGS, AT_EXECFD, comm, cwd, descriptors, and the identity
 * it runs with), or the errno the exec'ing program got, and the exit status. The machinery is {@link DifferentialRun}.
 * <p>
 * Cases that need an i386 program to run (an i386 exec'ing program or interpreter) are compared with the kernel on
 * every machine; where the kernel cannot run i386 programs (32-bit emulation off), what they test as written is
 * not applicable, and they check instead that both sides give the kernel's ENOEXEC. The run ends with one line
 * that counts both kinds.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DifferentialIT {
    @TempDir
    static Path base;

    static Path probe;
    static Path execer;
    static Path exec32;
    static Path execer32;
    static Path probe32;
    static Path probeStatic;
    static DifferentialRun run;
    static final Map<String, Observation> KERNEL = new java.util.HashMap<>();
    static final AtomicInteger AS_WRITTEN = new AtomicInteger();
    static final AtomicInteger NOT_APPLICABLE = new AtomicInteger();
    /** What an exec of an i386 program, or through an i386 interpreter, gives where the kernel cannot run one. */
    static final String NO_I386_EXPECT = "errno=ENOEXEC";

    /** One differential case; {@code expect} must appear in the kernel's output, so the case tests something. */
    record Case(String name, List<String> rules, List<FileSpec> files, List<String> command, String expect) {
        /** Whether an i386 program must run for the case to test what it says (the placeholders name one). */
        boolean needsI386() {
            return Stream.of(rules.stream(), command.stream(), files.stream().map(FileSpec::content))
                    .flatMap(x -> x).anyMatch(t -> t != null && t.matches("(?s).*@(EXEC32|EXECER32|PROBE32)@.*"));
        }
    }

    static final String PM = "PMAGIC-binary-content\n";

    static List<Case> cases() {
        String pm = ":pm:M::PMAGIC::@PROBE@:";
        List<Case> c = new ArrayList<>();
        c.add(new Case("magic", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "./bin", "bin", "a", "b c"), "argv[1]=./bin"));
        c.add(new Case("magic with P", List.of(":pm:M::PMAGIC::@PROBE@:P"), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "./bin", "custom-argv0", "a"), "at_flags=1"));
        c.add(new Case("magic with O", List.of(":pm:M::PMAGIC::@PROBE@:O"), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "./bin", "bin", "a"), "at_execfd=3"));
        c.add(new Case("magic with C", List.of(":pm:M::PMAGIC::@PROBE@:C"), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "./bin", "bin"), "execfd_target="));
        c.add(new Case("magic with POF", List.of(":pm:M::PMAGIC::@PROBE@:POF"), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "./bin", "zero"), "at_flags=1"));
        c.add(new Case("O with a close-on-exec fd 3", List.of(":pm:M::PMAGIC::@PROBE@:O"),
                List.of(FileSpec.exe("bin", PM)), List.of("cloexec3", "./bin", "bin"), "at_execfd="));
        c.add(new Case("magic at an offset", List.of(":off:M:4:MAG::@PROBE@:"),
                List.of(FileSpec.exe("bin", "xxxxMAGyy")), List.of("exec", "./bin", "bin"), "argv[0]=@PROBE@"));
        c.add(new Case("magic with a mask", List.of(":mk:M::\\x50\\x40:\\xff\\xf0:@PROBE@:"),
                List.of(FileSpec.exe("bin", "PO-rest")), List.of("exec", "./bin", "bin"), "argv[0]=@PROBE@"));
        c.add(new Case("mask does not match", List.of(":mk:M::\\x50\\x40:\\xff\\xf0:@PROBE@:"),
                List.of(FileSpec.exe("bin", "P.-rest")), List.of("exec", "./bin", "bin"), "errno=ENOEXEC"));
        c.add(new Case("magic beyond the end of a short file", List.of(":z:M::short\\x00\\x00\\x00::@PROBE@:"),
                List.of(FileSpec.exe("bin", "short")), List.of("exec", "./bin", "bin"), "argv[0]=@PROBE@"));
        String ext = ":ext:E::ext::@PROBE@:";
        c.add(new Case("extension", List.of(ext), List.of(FileSpec.exe("prog.ext", "anything")),
                List.of("exec", "./prog.ext", "p"), "argv[1]=./prog.ext"));
        c.add(new Case("extension: dots in directories do not count", List.of(":d:E::d::@PROBE@:"),
                List.of(FileSpec.dir("a.d"), FileSpec.exe("a.d/prog", "anything")),
                List.of("exec", "a.d/prog", "p"), "errno=ENOEXEC"));
        c.add(new Case("extension: y.tar.ext", List.of(ext), List.of(FileSpec.exe("y.tar.ext", "x")),
                List.of("exec", "y.tar.ext", "y"), "argv[1]=y.tar.ext"));
        c.add(new Case("extension: tar.gz is never the extension", List.of(":tgz:E::tar.gz::@PROBE@:"),
                List.of(FileSpec.exe("y.tar.gz", "x")), List.of("exec", "./y.tar.gz", "y"), "errno=ENOEXEC"));
        c.add(new Case("extension of a symlink's name", List.of(ext),
                List.of(FileSpec.exe("prog", "x"), FileSpec.link("link.ext", "prog")),
                List.of("exec", "./link.ext", "l"), "argv[1]=./link.ext"));
        c.add(new Case("extension of a symlink's target does not count", List.of(ext),
                List.of(FileSpec.exe("prog.ext", "x"), FileSpec.link("link", "prog.ext")),
                List.of("exec", "./link", "l"), "errno=ENOEXEC"));
        c.add(new Case("relative path into a subdirectory", List.of(ext),
                List.of(FileSpec.dir("sub"), FileSpec.exe("sub/p.ext", "x")),
                List.of("exec", "sub/p.ext", "p"), "argv[1]=sub/p.ext"));
        c.add(new Case("absolute path", List.of(ext), List.of(FileSpec.exe("p.ext", "x")),
                List.of("exec", "@DIR@/p.ext", "p"), "argv[1]=@DIR@/p.ext"));
        c.add(new Case("PATH search", List.of(ext), List.of(FileSpec.dir("bin"), FileSpec.exe("bin/tool.ext", "x")),
                List.of("execvp", "tool.ext", "tool.ext", "arg"), "argv[1]=@DIR@/bin/tool.ext"));
        c.add(new Case("execveat with a dirfd", List.of(ext), List.of(FileSpec.exe("p.ext", "x")),
                List.of("dirfd", ".", "p.ext", "p"), "argv[1]=/dev/fd/3/p.ext"));
        c.add(new Case("execveat with a close-on-exec dirfd", List.of(ext), List.of(FileSpec.exe("p.ext", "x")),
                List.of("dirfd-cloexec", ".", "p.ext", "p"), "errno=ENOENT"));
        c.add(new Case("execveat AT_EMPTY_PATH, magic", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("fexec", "./bin", "bin", "a"), "argv[1]=/dev/fd/3"));
        c.add(new Case("execveat AT_EMPTY_PATH, extension never matches", List.of(ext),
                List.of(FileSpec.exe("p.ext", "x")), List.of("fexec", "./p.ext", "p"), "errno=ENOEXEC"));
        c.add(new Case("execveat AT_EMPTY_PATH on a close-on-exec fd", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("fexec-cloexec", "./bin", "bin"), "errno=ENOENT"));
        c.add(new Case("a #! script whose interpreter matches a rule", List.of(pm),
                List.of(FileSpec.exe("bin", PM), FileSpec.exe("script", "#!@DIR@/bin  arg one \nbody\n")),
                List.of("exec", "./script", "s", "x"), "argv[2]=arg one"));
        c.add(new Case("a rule's interpreter that is a #! script", List.of(":ext:E::ext::@DIR@/interp:"),
                List.of(FileSpec.exe("interp", "#!@PROBE@ -i\n"), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "p", "a"), "argv[1]=-i"));
        c.add(new Case("a rule matching a #! script wins over binfmt_script", List.of(ext),
                List.of(FileSpec.exe("s.ext", "#!/bin/false\n")), List.of("exec", "./s.ext", "s"),
                "argv[0]=@PROBE@"));
        c.add(new Case("a chain of 5 rewrites runs", List.of(":c:E::c::@DIR@/s4:"), chain(4),
                List.of("exec", "./p.c", "p"), "argv[0]=@PROBE@"));
        c.add(new Case("a chain of 6 rewrites fails with ELOOP", List.of(":c:E::c::@DIR@/s5:"), chain(5),
                List.of("exec", "./p.c", "p"), "errno=ELOOP"));
        c.add(new Case("a rule matching its own interpreter", List.of(":self:M::LOOPMAGIC::@DIR@/loop:"),
                List.of(FileSpec.exe("loop", "LOOPMAGIC\n")), List.of("exec", "./loop", "l"), "errno=ELOOP"));
        c.add(new Case("a missing interpreter", List.of(":m:E::ext::@DIR@/missing:"),
                List.of(FileSpec.exe("p.ext", "x")), List.of("exec", "./p.ext", "p"), "errno=ENOENT"));
        // a failed rewritten exec leaves the signal state as it was (the notify engine steps over the restarted
        // call, whose failure ends in a trap the kernel forces, only where that cannot touch SIGTRAP's handler)
        for (String trap : List.of("ignore", "handle", "default")) {
            c.add(new Case("a failed rewritten exec, SIGTRAP set to " + trap, List.of(":m:E::ext::@DIR@/missing:"),
                    List.of(FileSpec.exe("p.ext", "x")), List.of("sigtrap", trap, "exec", "./p.ext", "p"),
                    "after: SIGTRAP " + (trap.equals("ignore") ? "ignored" : trap.equals("handle") ? "handled"
                            : "default") + ", not blocked, SIGUSR1 blocked\nerrno=ENOENT"));
        }
        c.add(new Case("an interpreter that is not executable", List.of(":m:E::ext::@DIR@/noexec:"),
                List.of(FileSpec.plain("noexec", "#!/bin/sh\n"), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "p"), "errno=EACCES"));
        c.add(new Case("an interpreter that is a directory", List.of(":m:E::ext::@DIR@/adir:"),
                List.of(FileSpec.dir("adir"), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "p"), "errno=EACCES"));
        // What every i386 interpreter gives where 32-bit emulation is off, on any kernel: an ELF it cannot run.
        c.add(new Case("an interpreter this kernel cannot run (a 32-bit ARM ELF)", List.of(":m:E::ext::@DIR@/arm:"),
                List.of(FileSpec.exe("arm", "\u007fELF\u0001\u0001\u0001" + "\0".repeat(9) + "\u0002\0\u0028\0\u0001"
                        + "\0".repeat(43)), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "p"), "errno=ENOEXEC"));
        c.add(new Case("a relative interpreter path resolves in the cwd", List.of(":rel:E::ext::interp-rel:"),
                List.of(FileSpec.exe("interp-rel", "#!@PROBE@\n"), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "p"), "argv[1]=interp-rel"));
        c.add(new Case("a target that is not executable", List.of(ext), List.of(FileSpec.plain("p.ext", "x")),
                List.of("exec", "./p.ext", "p"), "errno=EACCES"));
        c.add(new Case("a target that is a directory", List.of(":dd:E::dd::@PROBE@:"),
                List.of(FileSpec.dir("x.dd")), List.of("exec", "./x.dd", "x"), "errno=EACCES"));
        c.add(new Case("a missing target", List.of(ext), List.of(),
                List.of("exec", "./nothere.ext", "n"), "errno=ENOENT"));
        c.add(new Case("the later of two matching rules wins",
                List.of(":first:M::PMAGIC::/nonexistent/first:", ":second:M::PMAGIC::@PROBE@:"),
                List.of(FileSpec.exe("bin", PM)), List.of("exec", "./bin", "bin"), "argv[0]=@PROBE@"));
        c.add(new Case("a rule registered again under its name replaces it",
                List.of(":same:M::PMAGIC::@PROBE@:", ":other:E::zzz::/nonexistent:",
                        ":same:M::PMAGIC::/nonexistent/replaced:"),
                List.of(FileSpec.exe("bin", PM)), List.of("exec", "./bin", "bin"), "errno=ENOENT"));
        c.add(new Case("an empty argv", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("exec0", "./bin"), "argc=2"));
        c.add(new Case("an empty argv with P", List.of(":pm:M::PMAGIC::@PROBE@:P"), List.of(FileSpec.exe("bin", PM)),
                List.of("exec0", "./bin"), "argc=3"));
        c.add(new Case("P through a #! interpreter", List.of(":p:E::ext::@DIR@/interp:P"),
                List.of(FileSpec.exe("interp", "#!@PROBE@\n"), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "zero", "one"), "at_flags=1"));
        c.add(new Case("an O rule whose interpreter is a script", List.of(":o:E::ext::@DIR@/interp:O"),
                List.of(FileSpec.exe("interp", "#!@PROBE@\n"), FileSpec.exe("p.ext", "x")),
                List.of("exec", "./p.ext", "p"), "errno=ENOEXEC"));
        c.add(new Case("a #! line too long for 256 bytes", List.of(pm),
                List.of(FileSpec.exe("bin", PM), FileSpec.exe("long", "#!@DIR@/bin " + "x".repeat(300) + "\n")),
                List.of("exec", "./long", "l"), "argv[2]=xxx"));
        c.add(new Case("an interpreter name cut off at 256 bytes", List.of(pm),
                List.of(FileSpec.exe("cut", "#!/" + "y".repeat(300) + "\n")),
                List.of("exec", "./cut", "c"), "errno=ENOEXEC"));
        c.add(new Case("100k arguments", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("many", "100000", "./bin"), "argv[100001]=100000"));
        c.add(new Case("a program that can be executed but not read", List.of(pm),
                List.of(FileSpec.executeOnly("bin", PM)), List.of("exec", "./bin", "bin"), "argv[1]=./bin"));
        c.add(new Case("a FIFO as the program", List.of(":ff:E::ff::@PROBE@:"), List.of(FileSpec.fifo("p.ff")),
                List.of("exec", "./p.ff", "p"), "errno=EACCES"));
        c.add(new Case("a path longer than PATH_MAX", List.of(ext), List.of(),
                List.of("exec", "./" + "d/".repeat(2100) + "p.ext", "p"), "errno=ENAMETOOLONG"));
        c.add(new Case("a program in a deep directory, just under PATH_MAX", List.of(ext), deep(),
                List.of("exec", deepPath(), "p"), "argv[0]=@PROBE@"));
        // The same execs made by an i386 program (through int $0x80), which the 64-bit execer starts first.
        c.add(new Case("i386: magic", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "@EXEC32@", "e32", "exec", "./bin", "bin", "a", "b c"), "argv[1]=./bin"));
        c.add(new Case("i386: execveat, extension", List.of(ext), List.of(FileSpec.exe("p.ext", "x")),
                List.of("exec", "@EXEC32@", "e32", "at", "./p.ext", "p", "a"), "argv[1]=./p.ext"));
        c.add(new Case("i386: P and O", List.of(":pm:M::PMAGIC::@PROBE@:PO"), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "@EXEC32@", "e32", "exec", "./bin", "zero", "a"), "at_execfd=3"));
        c.add(new Case("i386: a #! script whose interpreter matches a rule", List.of(pm),
                List.of(FileSpec.exe("bin", PM), FileSpec.exe("script", "#!@DIR@/bin arg\n")),
                List.of("exec", "@EXEC32@", "e32", "exec", "./script", "s"), "argv[2]=arg"));
        c.add(new Case("i386: 100k arguments", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "@EXEC32@", "e32", "many", "100000", "./bin"), "argv[100001]=x"));
        c.add(new Case("i386: a missing interpreter", List.of(":m:E::ext::@DIR@/missing:"),
                List.of(FileSpec.exe("p.ext", "x")), List.of("exec", "@EXEC32@", "e32", "exec", "./p.ext", "p"),
                "errno=2"));
        // And made by the same execer built for i386 against glibc (gcc -m32): libc's PATH search, execveat through
        // syscall(), and the stack-too-small path, whose rewind must land on the vDSO's syscall entry.
        c.add(new Case("i386 glibc: PATH search", List.of(ext),
                List.of(FileSpec.dir("bin"), FileSpec.exe("bin/tool.ext", "x")),
                List.of("exec", "@EXECER32@", "execer32", "execvp", "tool.ext", "tool.ext", "arg"),
                "argv[1]=@DIR@/bin/tool.ext"));
        c.add(new Case("i386 glibc: execveat AT_EMPTY_PATH, magic", List.of(pm), List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "@EXECER32@", "execer32", "fexec", "./bin", "bin", "a"), "argv[1]=/dev/fd/3"));
        c.add(new Case("i386 glibc: execveat with a dirfd", List.of(ext), List.of(FileSpec.exe("p.ext", "x")),
                List.of("exec", "@EXECER32@", "execer32", "dirfd", ".", "p.ext", "p"), "argv[1]=/dev/fd/3/p.ext"));
        c.add(new Case("i386 glibc: 100k arguments", List.of(":pm:M::PMAGIC::@PROBE@:P"),
                List.of(FileSpec.exe("bin", PM)), List.of("exec", "@EXECER32@", "execer32", "many", "100000", "./bin"),
                "argv[100002]=100000"));
        c.add(new Case("i386 glibc: a missing interpreter", List.of(":m:E::ext::@DIR@/missing:"),
                List.of(FileSpec.exe("p.ext", "x")),
                List.of("exec", "@EXECER32@", "execer32", "exec", "./p.ext", "p"), "errno=ENOENT"));
        // An i386 interpreter (the probe built with gcc -m32): its 32-bit auxv gets the same edits.
        c.add(new Case("an i386 interpreter with P and O", List.of(":pm:M::PMAGIC::@PROBE32@:PO"),
                List.of(FileSpec.exe("bin", PM)), List.of("exec", "./bin", "zero", "a"), "at_execfd=3"));
        c.add(new Case("an i386 interpreter with P, exec'd by an i386 program", List.of(":pm:M::PMAGIC::@PROBE32@:P"),
                List.of(FileSpec.exe("bin", PM)),
                List.of("exec", "@EXECER32@", "execer32", "exec", "./bin", "zero", "a"), "at_flags=1"));
        c.add(new Case("an i386 interpreter, 100k arguments", List.of(":pm:M::PMAGIC::@PROBE32@:"),
                List.of(FileSpec.exe("bin", PM)), List.of("many", "100000", "./bin"), "argv[100001]=100000"));
        // A tracee in a chroot (the case directory): paths, symlinks and interpreters resolve inside it. The probe
        // there is a static copy; /proc is not mounted inside, so both sides report fds=unknown.
        FileSpec staticProbe = FileSpec.copy("probe", "@PROBESTATIC@");
        String inRoot = ":pm:M::PMAGIC::/probe:";
        c.add(new Case("chroot: the program and its interpreter inside the root", List.of(inRoot),
                List.of(staticProbe, FileSpec.exe("bin", PM)),
                List.of("chroot", "@DIR@", "/", "exec", "/bin", "bin", "a"), "argv[1]=/bin"));
        c.add(new Case("chroot: an absolute symlink inside the root", List.of(inRoot),
                List.of(staticProbe, FileSpec.exe("real", PM), FileSpec.link("lnk", "/real")),
                List.of("chroot", "@DIR@", "/", "exec", "/lnk", "l"), "argv[1]=/lnk"));
        c.add(new Case("chroot: a relative path with .. from a subdirectory", List.of(inRoot),
                List.of(staticProbe, FileSpec.exe("bin", PM), FileSpec.dir("sub")),
                List.of("chroot", "@DIR@", "/sub", "exec", "../bin", "b"), "cwd=/sub"));
        c.add(new Case("chroot: an interpreter that is a #! script inside the root", List.of(":e:E::ext::/interp:"),
                List.of(staticProbe, FileSpec.exe("interp", "#!/probe -x\n"), FileSpec.exe("p.ext", "x")),
                List.of("chroot", "@DIR@", "/", "exec", "/p.ext", "p"), "argv[1]=-x"));
        c.add(new Case("chroot: the interpreter exists only outside the root", List.of(":pm:M::PMAGIC::@PROBE@:"),
                List.of(FileSpec.exe("bin", PM)),
                List.of("chroot", "@DIR@", "/", "exec", "/bin", "bin"), "errno=ENOENT"));
        c.add(new Case("chroot: an F interpreter that exists only outside the root",
                List.of(":pm:M::PMAGIC::@PROBESTATIC@:F"), List.of(FileSpec.exe("bin", PM), FileSpec.dir("proc")),
                List.of("mountns", "/proc", "@DIR@/proc", "chroot", "@DIR@", "/", "exec", "/bin", "bin"),
                "argv[0]=@PROBESTATIC@"));
        // ...and one whose loader (PT_INTERP, looked up in the process's root) is not in the root: the exec fails,
        // and leaves the caller no descriptor of the interpreter (both user-space engines hand it in to exec it by
        // descriptor: they must close it again)
        c.add(new Case("chroot: an F interpreter outside the root whose loader is not inside it",
                List.of(":pm:M::PMAGIC::@PROBE@:F"), List.of(FileSpec.exe("bin", PM)),
                List.of("chroot", "@DIR@", "/", "fds", "exec", "/bin", "bin"), "errno=ENOENT"));
        // An F rule's interpreter changed after the rules were loaded: the kernel runs the file it opened then.
        String fixed = ":pm:M::PMAGIC::@DIR@/interp:F";
        c.add(new Case("F: the interpreter moved since the rules were loaded", List.of(fixed),
                List.of(FileSpec.copy("interp", "@PROBE@"), FileSpec.exe("bin", PM)),
                List.of("rename", "interp", "moved", "exec", "./bin", "bin", "a"), "argv[0]=@DIR@/interp"));
        c.add(new Case("F: the interpreter replaced since the rules were loaded", List.of(fixed),
                List.of(FileSpec.copy("interp", "@PROBE@"), FileSpec.exe("other", "#!/bin/sh\necho replaced\n"),
                        FileSpec.exe("bin", PM)),
                List.of("rename", "other", "interp", "exec", "./bin", "bin", "a"), "argv[0]=@DIR@/interp"));
        c.add(new Case("F: the interpreter deleted since the rules were loaded", List.of(fixed),
                List.of(FileSpec.copy("interp", "@PROBE@"), FileSpec.exe("bin", PM)),
                List.of("unlink", "interp", "exec", "./bin", "bin", "a"), "argv[0]=@DIR@/interp"));
        // A tracee in its own mount namespace, where the program exists only under a bind mount.
        c.add(new Case("another mount namespace: an absolute path", List.of(pm),
                List.of(FileSpec.dir("src"), FileSpec.exe("src/bin", PM), FileSpec.dir("dst")),
                List.of("mountns", "@DIR@/src", "@DIR@/dst", "exec", "@DIR@/dst/bin", "bin"),
                "argv[1]=@DIR@/dst/bin"));
        c.add(new Case("another mount namespace: a relative path", List.of(pm),
                List.of(FileSpec.dir("src"), FileSpec.exe("src/bin", PM), FileSpec.dir("dst")),
                List.of("mountns", "@DIR@/src", "@DIR@/dst", "exec", "dst/bin", "bin"), "argv[1]=dst/bin"));
        c.add(new Case("no rule applies: passthrough", List.of(":none:E::nope::@PROBE@:"),
                List.of(FileSpec.exe("script", "#!@PROBE@ x\n")), List.of("exec", "./script", "s"),
                "argv[1]=x"));
        return c;
    }

    /** Directories 30 deep with 120-byte names, and p.ext at the bottom: a relative path of ~3.6 KB. */
    static List<FileSpec> deep() {
        List<FileSpec> files = new ArrayList<>();
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            path.append(i == 0 ? "" : "/").append("x".repeat(119)).append(i % 10);
            files.add(FileSpec.dir(path.toString()));
        }
        files.add(FileSpec.exe(path + "/p.ext", "x"));
        return files;
    }

    static String deepPath() {
        StringBuilder path = new StringBuilder(".");
        for (int i = 0; i < 30; i++) {
            path.append("/").append("x".repeat(119)).append(i % 10);
        }
        return path + "/p.ext";
    }

    /** p.c, and scripts s1..sN where s(k) runs s(k-1) and s1 runs the probe. */
    static List<FileSpec> chain(int n) {
        List<FileSpec> files = new ArrayList<>();
        files.add(FileSpec.exe("p.c", "x"));
        files.add(FileSpec.exe("s1", "#!@PROBE@\n"));
        for (int k = 2; k <= n; k++) {
            files.add(FileSpec.exe("s" + k, "#!@DIR@/s" + (k - 1) + "\n"));
        }
        return files;
    }

    static String fill(String s, Path dir) {
        return run.fill(s, dir);
    }

    static Path dirOf(int i) {
        return base.resolve("case" + i);
    }

    @BeforeAll
    static void runAllCasesUnderTheKernel() throws Exception {
        KernelFeatures.Feature oracle = KernelFeatures.binfmtInUserNamespace();
        Assumptions.assumeTrue(oracle.present(), () -> KernelFeatures.adapting("DifferentialIT", oracle,
                "no case can be compared with the kernel here"));
        probe = TestPrograms.get("probe");
        execer = TestPrograms.get("execer");
        exec32 = TestPrograms.getI386("exec32");
        execer32 = TestPrograms.getI386Glibc("execer");
        probe32 = TestPrograms.getI386Glibc("probe");
        probeStatic = TestPrograms.getStatic("probe");
        run = new DifferentialRun(execer, Map.of("PROBE", probe, "EXEC32", exec32, "EXECER32", execer32,
                "PROBE32", probe32, "PROBESTATIC", probeStatic));
        List<Case> cases = cases();
        List<DifferentialRun.Exec> execs = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            run.makeFiles(dirOf(i), cases.get(i).files());
            execs.add(new DifferentialRun.Exec(cases.get(i).rules(), cases.get(i).command(), dirOf(i)));
        }
        List<Observation> seen = run.underTheKernel(execs, base,
                List.of("unshare", "--user", "--map-root-user", "--mount"));
        for (int i = 0; i < cases.size(); i++) {
            KERNEL.put(cases.get(i).name(), seen.get(i));
        }
    }

    @TestFactory
    Stream<DynamicTest> jbinfmtSeesWhatTheKernelSees() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 40, "at least 40 cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case k = cases.get(i);
            Path dir = dirOf(i);
            tests.add(DynamicTest.dynamicTest(k.name(), () -> {
                Observation kernel = KERNEL.get(k.name());
                boolean applicable = !k.needsI386() || KernelFeatures.i386().present();
                String expect = applicable ? k.expect() : NO_I386_EXPECT;
                assertTrue(kernel.output().contains(fill(expect, dir)),
                        "the case does not test what it says: kernel output lacks '" + expect + "':\n"
                                + kernel.output());
                Observation ours = assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                        () -> underJbinfmt(k, dir), "jbinfmt hung on this case");
                assertEquals(kernel.output(), ours.output(), "output differs");
                assertEquals(kernel.status(), ours.status(), "exit status differs");
                (applicable ? AS_WRITTEN : NOT_APPLICABLE).incrementAndGet();
            }));
        }
        return tests.stream();
    }

    @AfterAll
    static void summary() {
        int identical = AS_WRITTEN.get() + NOT_APPLICABLE.get();
        String line = "DifferentialIT: " + cases().size() + " cases run under the kernel and jbinfmt: " + identical
                + " identical (" + AS_WRITTEN.get() + " as written, " + NOT_APPLICABLE.get()
                + " not applicable on this kernel), " + (cases().size() - identical) + " failed";
        if (NOT_APPLICABLE.get() > 0) {
            line += "; not applicable: the i386 cases, because " + KernelFeatures.i386().whyNot()
                    + ", so both sides had to give ENOEXEC";
        }
        System.out.println(line);
    }

    static Observation underJbinfmt(Case k, Path dir) throws Exception {
        return underJbinfmt(k, dir, SessionOptions.defaults().engine());
    }

    /**
     * Case {@code k} run by jbinfmt under {@code engine}. A case that moves or deletes a file before its exec (an F
     * interpreter) finds its directory as the kernel's run left it: it is made again first.
     */
    static Observation underJbinfmt(Case k, Path dir, io.jbinfmt.tracer.Engine engine) throws Exception {
        if (List.of("rename", "unlink").contains(k.command().getFirst())) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            run.makeFiles(dir, k.files());
        }
        return run.underJbinfmt(k.name(), new DifferentialRun.Exec(k.rules(), k.command(), dir), engine);
    }
}
