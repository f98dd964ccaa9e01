package io.jbinfmt.tracer.host;

import java.util.List;

/**
 * Where this process's cgroup v2 directory is, read from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}.
 * Pure, so the parsing is tested without a host.
 */
public final class CgroupLocation {
    private CgroupLocation() {
    }

    /**
     * The directory of the cgroup v2 group named in {@code procSelfCgroup} (its {@code 0::/path} line), under the
     * first cgroup2 mount in {@code mountinfo} whose root is a prefix of that path; null when there is no cgroup2
     * mount or no v2 line (a v1-only host).
     */
    public static String find(List<String> mountinfo, List<String> procSelfCgroup) {
        String group = null;
        for (String line : procSelfCgroup) {
            if (line.startsWith("0::")) {
                group = line.substring(3);
            }
        }
        if (group == null || !group.startsWith("/")) {
            return null; // v1 only, or "(unreachable)" paths outside our cgroup namespace
        }
        for (String line : mountinfo) {
            // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            String[] after = line.substring(dash + 3).split(" ");
            String[] before = line.substring(0, dash).split(" ");
            if (after.length < 1 || !after[0].equals("cgroup2") || before.length < 5) {
                continue;
            }
            String root = unescape(before[3]);
            String mountPoint = unescape(before[4]);
            if (root.equals("/")) {
                return group.equals("/") ? mountPoint : mountPoint + group;
            }
            if (group.equals(root) || group.startsWith(root + "/")) {
                return mountPoint + group.substring(root.length());
            }
        }
        return null;
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo octal. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 4 <= s.length()
                    && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
