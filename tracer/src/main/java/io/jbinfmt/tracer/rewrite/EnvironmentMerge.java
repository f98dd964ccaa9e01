package io.jbinfmt.tracer.rewrite;


import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A rule's {@code #jbinfmt:env} entries applied to the environment an exec passes (jbinfmt's extension; the
 * kernel has nothing like it). Pure: the tracee's envp is read by the caller.
 */
public final class EnvironmentMerge {
    private EnvironmentMerge() {
    }

    /**
     * {@code env} with each {@code NAME=value} of {@code set} in place of every {@code NAME=...} entry, appended at
     * the end in {@code set}'s order. As glibc's setenv, an entry without '=' is never taken for a variable.
     */
    public static List<byte[]> apply(List<byte[]> env, List<byte[]> set) {
        List<byte[]> out = new ArrayList<>(env);
        for (byte[] entry : set) {
            int eq = indexOf(entry, (byte) '=');
            int nameLength = eq < 0 ? entry.length : eq;
            out.removeIf(e -> e.length > nameLength && e[nameLength] == '='
                    && Arrays.equals(e, 0, nameLength, entry, 0, nameLength));
            out.add(entry);
        }
        return out;
    }

    /**
     * argv, a null marker, then envp: the one list {@link ArgvBlock} lays out as a single block (two
     * NULL-terminated pointer arrays) into the tracee.
     */
    public static List<byte[]> argvThenEnvp(List<byte[]> argv, List<byte[]> envp) {
        List<byte[]> both = new ArrayList<>(argv.size() + 1 + envp.size());
        both.addAll(argv);
        both.add(null);
        both.addAll(envp);
        return both;
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
