package io.jbinfmt.tracer.rules;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RuleFileTest {
    @Test
    void skipsCommentsAndBlankLinesAndStripsWhitespace() throws Exception {
        List<Rule> rules = RuleFile.parse(("""
                # qemu
                ; also a comment

                   :one:E::a::/bin/one:\t
                :two:E::b::/bin/two:P
                """).getBytes(), "r.conf").rules();
        assertEquals(List.of("one", "two"), rules.stream().map(Rule::name).toList());
        assertEquals(new RuleSource("r.conf", 4), rules.get(0).source());
    }

    @Test
    void reportsEveryBadLineWithFileLineAndColumn() {
        RuleFileException e = assertThrows(RuleFileException.class, () -> RuleFile.parse("""
                :ok:E::a::/bin/i:
                  :bad:Q::a::/bin/i:
                :worse:E::a::/bin/i:Z
                """.getBytes(), "r.conf"));
        assertEquals(List.of(
                "r.conf:2:8: the type must be M (magic) or E (extension)",
                "r.conf:3:21: unknown flag or trailing bytes 'Z' (flags are P, O, C, F)"),
                e.errors().stream().map(Throwable::getMessage).toList());
    }

    @Test
    void laterRegistrationsMatchFirstAndReplaceByName() throws Exception {
        List<Rule> rules = RuleFile.parse("""
                :first:E::x::/bin/first:
                :second:E::x::/bin/second:
                :other:E::y::/bin/other:
                :first:E::y::/bin/first-again:
                """.getBytes(), "r.conf").rules();
        RuleSet set = RuleSet.registered(rules);
        assertEquals(List.of("first", "other", "second"), set.inMatchOrder().stream().map(Rule::name).toList());
        byte[] header = new byte[Rule.HEADER_SIZE];
        assertEquals("/bin/second", new String(set.match(header, "/d/f.x".getBytes()).interpreter()));
        assertEquals("/bin/first-again", new String(set.match(header, "/d/f.y".getBytes()).interpreter()));
        assertNull(set.match(header, "/d.x/f".getBytes()));
    }

    @Test
    void magicMatchingHonoursOffsetAndMask() throws Exception {
        Rule r = RuleParser.parse(":m:M:2:\\xab\\xc0:\\xff\\xf0:/bin/i:".getBytes(), new RuleSource("t", 1));
        byte[] h = new byte[Rule.HEADER_SIZE];
        h[2] = (byte) 0xab;
        h[3] = (byte) 0xcf; // low nibble masked out
        assertEquals(true, r.matches(h, "x".getBytes()));
        h[3] = (byte) 0xd0;
        assertEquals(false, r.matches(h, "x".getBytes()));
    }

    @Test
    void extensionIsTheTextAfterTheLastDotOfTheWholePath() throws Exception {
        Rule r = RuleParser.parse(":e:E::ext::/bin/i:".getBytes(), new RuleSource("t", 1));
        byte[] h = new byte[Rule.HEADER_SIZE];
        assertEquals(true, r.matches(h, "y.tar.ext".getBytes()));
        assertEquals(true, r.matches(h, "/dev/fd/3/prog.ext".getBytes()));
        assertEquals(false, r.matches(h, "dir.ext/prog".getBytes()));
        assertEquals(false, r.matches(h, "prog.ext2".getBytes()));
        assertEquals(false, r.matches(h, "ext".getBytes()));
    }
}
