package io.jbinfmt.cli;

import io.jbinfmt.cli.report.SampleLogs;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jbinfmt.cli.report.SampleLogs.exec;
import static io.jbinfmt.cli.report.SampleLogs.exited;
import static io.jbinfmt.cli.report.SampleLogs.killed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/jbinfmt report --html} end to end: the page the real launcher writes, rendered by a real headless
 * Chromium (Debian's chromium package, in .ci/packages). The rendered DOM must hold the tables and one SVG bar
 * per rule, a hostile program name must stay text, and a screenshot must come out. Without chromium the test
 * fails, naming the package, as every test here does for a missing tool (.ci/run installs it).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReportHtmlIT {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final String HOSTILE = "<script>alert(1)</script>";

    @TempDir
    Path tmp;

    @BeforeEach
    void chromiumIsInstalled() {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError(CHROMIUM + " is missing (apt-get install chromium; .ci/run installs it)");
        }
    }

    private Path writePage() throws Exception {
        Path log = Files.writeString(tmp.resolve("run.jsonl"), String.join("\n",
                exec(10, "qemu-aarch64", "/usr/bin/qemu-aarch64", "./t1", "./t1", "x"), exited(10, 0, 250, 180.0, 20.0),
                exec(11, "qemu-aarch64", "/usr/bin/qemu-aarch64", "./t2", "./t2"), killed(11, "SIGSEGV", 40),
                exec(12, "qemu-riscv64", "/usr/bin/qemu-riscv64", HOSTILE, HOSTILE, "a&b"), exited(12, 1, 90, null, null),
                exec(13, "wasm32-wasi", "/usr/bin/wasmtime", "./t.wasm", "./t.wasm")) + "\n");
        Path page = tmp.resolve("report.html");
        LauncherIT.Result r = LauncherIT.run(null, "report", "--html", page.toString(), log.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("jbinfmt report: 4 rewritten processes from "), r.out());
        assertTrue(Files.size(page) > 0, "no page written");
        return page;
    }

    /** Runs headless Chromium on the page with a fresh profile and no network of its own; returns its stdout. */
    private String chromium(Path page, String... mode) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(tmp, "profile")));
        cmd.addAll(List.of(mode));
        cmd.add(page.toUri().toString());
        Path out = tmp.resolve("chromium.out");
        Path err = tmp.resolve("chromium.err");
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s: " + Files.readString(err));
        }
        assertEquals(0, p.exitValue(), () -> "chromium failed: " + readQuietly(err));
        return Files.readString(out);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Test
    void theRenderedPageHasTheTablesTheBarsAndNoInjectedScript() throws Exception {
        String dom = chromium(writePage(), "--dump-dom");
        for (String table : List.of("<table id=\"processes\">", "<table id=\"wall\">", "<table id=\"cpu\">",
                "<table class=\"slowest\">")) {
            assertTrue(dom.contains(table), table + " missing from the rendered DOM:\n" + dom);
        }
        Matcher bars = Pattern.compile("<rect class=\"bar\" data-rule=\"([^\"]*)\"").matcher(dom);
        List<String> rules = new ArrayList<>();
        while (bars.find()) {
            rules.add(bars.group(1));
        }
        assertEquals(List.of("qemu-aarch64", "qemu-riscv64", "wasm32-wasi"), rules); // one bar per rule
        // the hostile name is a text node: serialised escaped, never a script element
        assertFalse(dom.contains("<script"), dom);
        assertTrue(dom.contains("&lt;script&gt;alert(1)&lt;/script&gt; a&amp;b"), dom);
        // the rendered processes table counts what the log says: 1 killed, 1 exited non-zero, 1 unfinished
        assertTrue(dom.replaceAll("\\s+", "").contains("<td>qemu-aarch64</td><td><code>/usr/bin/qemu-aarch64</code>"
                + "</td><tdclass=\"n\">2</td><tdclass=\"nfail\">1</td>"), dom);
    }

    @Test
    void aScreenshotComesOut() throws Exception {
        Path page = writePage();
        Path png = tmp.resolve("report.png");
        chromium(page, "--screenshot=" + png, "--window-size=1200,900");
        assertTrue(Files.isRegularFile(png) && Files.size(png) > 1000, png + " missing or nearly empty");
        try (InputStream in = Files.newInputStream(png); DataInputStream d = new DataInputStream(in)) {
            byte[] signature = new byte[8];
            d.readFully(signature);
            assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, signature);
            d.readInt(); // IHDR length
            d.readInt(); // "IHDR"
            assertEquals(1200, d.readInt());
            assertEquals(900, d.readInt());
        }
    }
}
