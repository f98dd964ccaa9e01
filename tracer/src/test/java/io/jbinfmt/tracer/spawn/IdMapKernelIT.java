package io.jbinfmt.tracer.spawn;

import io.jbinfmt.tracer.Engine;
import io.jbinfmt.tracer.KernelFeatures;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link IdMap#whyRefused} against the kernel: in a user namespace with a multi-range map (as rootless containers
 * have), its root writes each candidate map to a child namespace's uid_map; the kernel takes exactly the maps
 * whyRefused finds nothing wrong with. As root (the parent namespace's maps are written from here).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class IdMapKernelIT {
    static final String PARENT = "0 0 1\n1 100000 65536\n100000 300000 1000\n";
    /**
     * In the parent namespace, as its root: for each candidate file, a child namespace (a sleep), the candidate
     * written to its uid_map in one write(2) (dd: one read of the file, one write), and what the kernel said.
     */
    static final String WRITE_EACH = """
            for f in "$@"; do
              unshare --user sleep 60 & c=$!
              while [ "$(readlink /proc/$c/ns/user)" = "$(readlink /proc/$$/ns/user)" ]; do sleep 0.01; done
              if dd if="$f" of=/proc/$c/uid_map bs=65536 status=none 2>/dev/null; then echo taken; else echo refused; fi
              kill $c; wait $c 2>/dev/null || :
            done
            """;

    @TempDir
    Path tmp;

    static String ranges(int n, long first) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(first + i).append(' ').append(first + i).append(" 1\n");
        }
        return s.toString();
    }

    @Test
    void theKernelTakesExactlyTheMapsWhyRefusedPasses() throws Exception {
        Assumptions.assumeFalse("ptrace".equals(System.getenv(Engine.ENVIRONMENT_VARIABLE)),
                "IdMapKernelIT: runs no engine, run once (in the default failsafe run)");
        Assumptions.assumeTrue(KernelFeatures.binfmtInUserNamespace().present(), () -> KernelFeatures.adapting(
                "IdMapKernelIT", KernelFeatures.binfmtInUserNamespace(), "no user namespaces to test in"));
        IdMap parent = IdMap.parse(PARENT);
        Map<String, String> candidates = new LinkedHashMap<>();
        candidates.put("the parent's identity", parent.identity().text());
        candidates.put("the host's identity", "0 0 4294967295\n");
        candidates.put("two of the parent's ranges in one", "0 0 2\n");
        candidates.put("inside one range", "5 5 10\n");
        candidates.put("past a range's end", "0 65536 2\n");
        candidates.put("a whole range elsewhere", "0 100000 1000\n");
        candidates.put("a range one too long", "0 100000 1001\n");
        candidates.put("overlapping inside ids", "0 1 10\n5 20 10\n");
        candidates.put("overlapping outside ids", "0 1 10\n20 5 10\n");
        candidates.put("340 ranges", ranges(340, 1));
        candidates.put("341 ranges", ranges(341, 1));
        candidates.put("250 long lines", ranges(250, 100000));
        candidates.put("300 long lines", ranges(300, 100000));
        List<String> files = new ArrayList<>();
        for (String text : candidates.values()) {
            Path f = tmp.resolve("map" + files.size());
            Files.writeString(f, text);
            files.add(f.toString());
        }
        Process holder = new ProcessBuilder("unshare", "--user", "sleep", "infinity").start();
        try {
            Path own = Files.readSymbolicLink(Path.of("/proc/self/ns/user"));
            for (int i = 0; i < 500 && Files.readSymbolicLink(Path.of("/proc/" + holder.pid() + "/ns/user"))
                    .equals(own); i++) {
                Thread.sleep(10);
            }
            Files.writeString(Path.of("/proc/" + holder.pid() + "/uid_map"), PARENT);
            Files.writeString(Path.of("/proc/" + holder.pid() + "/gid_map"), "0 0 1\n");
            List<String> cmd = new ArrayList<>(List.of("nsenter", "--user", "--target", Long.toString(holder.pid()),
                    "sh", "-c", WRITE_EACH, "sh"));
            cmd.addAll(files);
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> kernel = new String(p.getInputStream().readAllBytes()).lines().toList();
            assertEquals(0, p.waitFor());
            List<String> expected = new ArrayList<>();
            List<String> got = new ArrayList<>();
            long pageSize = KernelRefusal.Facts.read(true).pageSize();
            int i = 0;
            for (var c : candidates.entrySet()) {
                String why = IdMap.parse(c.getValue()).whyRefused("uid_map", parent, pageSize);
                expected.add(c.getKey() + ": " + (why == null ? "taken" : "refused"));
                got.add(c.getKey() + ": " + kernel.get(i++));
            }
            assertEquals(expected, got);
        } finally {
            holder.destroyForcibly();
        }
    }
}
