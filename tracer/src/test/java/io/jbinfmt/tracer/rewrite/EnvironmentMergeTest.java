package io.jbinfmt.tracer.rewrite;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The #jbinfmt:env merge: replace by name, append in order, leave everything else as it was. */
class EnvironmentMergeTest {
    static List<byte[]> bytes(String... s) {
        return java.util.Arrays.stream(s).map(String::getBytes).toList();
    }

    static List<String> strings(List<byte[]> l) {
        return l.stream().map(b -> b == null ? null : new String(b)).toList();
    }

    @Test
    void replacesByNameAndAppends() {
        assertEquals(List.of("HOME=/h", "PATH=/bin", "X=new"),
                strings(EnvironmentMerge.apply(bytes("X=old", "HOME=/h", "PATH=/bin"), bytes("X=new"))));
    }

    @Test
    void aLongerOrShorterNameIsAnotherVariable() {
        assertEquals(List.of("XY=1", "X", "X=2"),
                strings(EnvironmentMerge.apply(bytes("XY=1", "X", "X=0"), bytes("X=2"))));
    }

    @Test
    void everyDuplicateGoesAndLaterEntriesWin() {
        assertEquals(List.of("B=1", "A=3"),
                strings(EnvironmentMerge.apply(bytes("A=0", "B=1", "A=0"), bytes("A=2", "A=3"))));
    }

    @Test
    void anEmptyValueAndBytesThatAreNotUtf8() {
        byte[] odd = {'V', '=', (byte) 0xff, (byte) 0xfe};
        List<byte[]> out = EnvironmentMerge.apply(bytes("V=x"), List.of(odd, "E=".getBytes()));
        assertEquals(2, out.size());
        assertEquals(java.util.Arrays.toString(odd), java.util.Arrays.toString(out.get(0)));
        assertEquals("E=", new String(out.get(1)));
    }

    @Test
    void argvThenEnvpPutsOneNullBetween() {
        assertEquals(java.util.Arrays.asList("a", "b", null, "E=1"),
                strings(EnvironmentMerge.argvThenEnvp(bytes("a", "b"), bytes("E=1"))));
    }
}
