package io.jbinfmt.tracer.rules;

import io.jbinfmt.tracer.oracle.KernelBinfmt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parser against the kernel: every line of a corpus is registered in a private binfmt_misc; jbinfmt must
 * accept exactly what the kernel accepts, and read each accepted line into the entry the kernel shows.
 */
class RuleParserKernelIT {
    @TempDir
    Path tmp;

    /** Lines as written to the register file; the name the kernel would give each is derived as the parser does. */
    static final List<String> CORPUS = List.of(
            ":a1:M::\\x7fELF::/bin/i:",
            ":a2:M:0:\\x7fELF\\x02:\\xff\\xff\\xff\\xff\\xfe:/bin/sh:POCF",
            ":a3:M:+4:AB::/bin/i:",
            ":a4:M:-0:AB::/bin/i:",
            ":a5:M:-1:AB::/bin/i:",
            ":a6:M:1x:AB::/bin/i:",
            ":a7:M:255:A::/bin/i:",
            ":a8:M:256:A::/bin/i:",
            ":a9:M:254:AB::/bin/i:",
            ":b1:M:255:AB::/bin/i:",
            ":b2:M::\\x4::/bin/i:",
            ":b3:M::\\x41\\x4g::/bin/i:",
            ":b4:M::\\\\x41::/bin/i:",
            ":b5:M::A\\n\\t::/bin/i:",
            ":b6:M::AB:\\xff:/bin/i:",
            ":b7:M::AB:\\xff\\xff\\xff:/bin/i:",
            ":b8:M::AB:ff:/bin/i:",
            ":b9:M:::\\xff:/bin/i:",
            ":c1:E::exe::/bin/i:",
            ":c2:E:whatever:exe:ignored:/bin/i:P",
            ":c3:E::a/b::/bin/i:",
            ":c4:E::tar.gz::/bin/i:",
            ":c5:E::::/bin/i:",
            ":c6:X::exe::/bin/i:",
            ":c7:EE::exe::/bin/i:",
            ":c8:E::exe:::",
            ":c9:E::exe::/bin/i",
            ":d1:E::exe::/bin/i:PP",
            ":d2:E::exe::/bin/i:Q",
            ":d3:E::exe::/bin/i:P\n",
            ":d4:E::exe::/bin/i:P\n\n",
            ":d5:E::exe::/bin/i: ",
            ":d6:E::exe::/bin/i:CO",
            ":d7:E::exe::relative/interp:",
            "::E::exe::/bin/i:",
            ":.:E::exe::/bin/i:",
            ":..:E::exe::/bin/i:",
            ":a/b:E::exe::/bin/i:",
            ":status:E::exe::/bin/i:",
            "|d8|M|3|x:y||/bin/sh|F",
            "Xd9XEXXexeXX/bin/iX",
            "xe1xExxexexx/bin/ix",
            ":e2:E::exe::/bin/i::",
            ":e3:M:2147483647:A::/bin/i:",
            ":e4:M:99999999999:A::/bin/i:",
            ":e5:E::exe::/bin/with space:",
            ":sp ace:E::exe::/bin/i:",
            ":e6:M:0:\\x00\\x00\\x00\\x00::/bin/i:",
            ":e7:M::\\X41::/bin/i:",
            ":e8:E::.hidden::/bin/i:");

    static String nameOf(String line) {
        char del = line.charAt(0);
        int end = line.indexOf(del, 1);
        return end < 0 ? "-" : line.substring(1, end);
    }

    @Test
    void acceptsExactlyWhatTheKernelAccepts() throws Exception {
        List<byte[]> lines = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String l : CORPUS) {
            lines.add(RuleText.bytes(l));
            names.add(nameOf(l));
        }
        List<KernelBinfmt.Registration> kernel = KernelBinfmt.register(lines, names, tmp);
        int accepted = 0;
        for (int i = 0; i < CORPUS.size(); i++) {
            String line = CORPUS.get(i);
            Rule ours;
            String why = "";
            try {
                ours = RuleParser.parse(lines.get(i), new RuleSource("corpus", i + 1));
            } catch (RuleSyntaxException e) {
                ours = null;
                why = e.getMessage();
            }
            KernelBinfmt.Registration k = kernel.get(i);
            // 'register'/'status' are refused by the kernel too (EEXIST rather than EINVAL)
            assertEquals(k.accepted(), ours != null, "accept/refuse differs for " + line.replace("\n", "\\n")
                    + " (ours: " + (ours == null ? why : "accepted") + ")");
            if (ours != null) {
                accepted++;
                assertEquals(k.status(), RuleStatus.of(ours), "entry differs for " + line.replace("\n", "\\n"));
            }
        }
        assertTrue(accepted > 15 && accepted < CORPUS.size() - 15, "the corpus should mix good and bad lines");
    }
}
