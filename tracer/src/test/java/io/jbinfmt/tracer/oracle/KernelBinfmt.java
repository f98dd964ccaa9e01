package io.jbinfmt.tracer.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel's own binfmt_misc as a test oracle: a private instance mounted inside
 * {@code unshare --user --map-root-user --mount} (Linux 6.7+), so nothing global is touched.
 */
public final class KernelBinfmt {
    private KernelBinfmt() {
    }

    /** What the kernel said to one register write: accepted (with the entry's status file) or refused. */
    public record Registration(boolean accepted, String status) {
    }

    /**
     * Writes each of {@code lines} to a fresh private binfmt_misc's register file (one write each), reads back the
     * entry named {@code names.get(i)} when accepted, and removes it again.
     */
    public static List<Registration> register(List<byte[]> lines, List<String> names, Path work)
            throws IOException, InterruptedException {
        Files.createDirectories(work);
        StringBuilder script = new StringBuilder("""
                set -u
                PATH=/usr/sbin:/usr/bin:/sbin:/bin; export PATH
                b=/proc/sys/fs/binfmt_misc
                mount -t binfmt_misc binfmt_misc $b || exit 99
                """);
        for (int i = 0; i < lines.size(); i++) {
            Path f = work.resolve("line" + i);
            Files.write(f, lines.get(i));
            String name = names.get(i);
            script.append("if cat '").append(f).append("' > $b/register 2>/dev/null; then echo ACCEPTED; ")
                    // builtins only while the rule is registered: it may claim every ELF file, cat included
                    .append("while IFS= read -r l; do echo \"$l\"; done < \"$b/").append(name.replace("'", ""))
                    .append("\"; echo -1 > \"$b/")
                    .append(name.replace("'", "")).append("\"; else echo REFUSED; fi; echo END\n");
        }
        Path sh = work.resolve("register.sh");
        Files.writeString(sh, script);
        Process p = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", sh.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        int rc = p.waitFor();
        if (rc == 99 || rc != 0) {
            throw new IllegalStateException("cannot use a private binfmt_misc (needs Linux 6.7+ and user namespaces): "
                    + out);
        }
        List<Registration> results = new ArrayList<>();
        for (String block : out.split("END\n", -1)) {
            if (block.startsWith("ACCEPTED\n")) {
                results.add(new Registration(true, block.substring("ACCEPTED\n".length())));
            } else if (block.startsWith("REFUSED\n")) {
                results.add(new Registration(false, null));
            }
        }
        if (results.size() != lines.size()) {
            throw new IllegalStateException("oracle output does not parse: " + out);
        }
        return results;
    }
}
