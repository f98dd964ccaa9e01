package io.jbinfmt.tracer.rules;

import java.io.ByteArrayOutputStream;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A binfmt-support format file (what packages install in /usr/share/binfmts, for update-binfmts --import):
 * {@code key value} lines (package, interpreter, magic, offset, mask, extension, credentials or credential,
 * preserve, fix_binary), the rule named after the file. It is turned into a register string and parsed by
 * {@link RuleParser}, so it is held to exactly the kernel's rules. A detector (a program that decides at exec
 * time) cannot be honoured and is refused.
 */
public final class BinfmtSupportFile {
    private static final List<String> KEYS = List.of("package", "interpreter", "magic", "offset", "mask",
            "extension", "detector", "credentials", "credential", "preserve", "fix_binary");

    private BinfmtSupportFile() {
    }

    /** Whether {@code content} looks like this format: its first meaningful line starts with one of its keys. */
    public static boolean looksLikeOne(byte[] content) {
        for (String line : RuleText.string(content).split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String key = t.split("[ \t]", 2)[0];
            return KEYS.contains(key);
        }
        return false;
    }

    /** The rule the file {@code name} with {@code content} defines. */
    public static Rule parse(byte[] content, String name, String fileName) throws RuleSyntaxException {
        String interpreter = null;
        String magic = null;
        String offset = "";
        String mask = "";
        String extension = null;
        Set<RuleFlag> flags = EnumSet.noneOf(RuleFlag.class);
        String[] lines = RuleText.string(content).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            RuleSource at = new RuleSource(fileName, i + 1);
            String[] kv = t.split("[ \t]+", 2);
            String key = kv[0];
            String value = kv.length > 1 ? kv[1] : "";
            switch (key) {
                case "package" -> { }
                case "interpreter" -> interpreter = value;
                case "magic" -> magic = value;
                case "offset" -> offset = value;
                case "mask" -> mask = value;
                case "extension" -> extension = value;
                case "credentials", "credential" -> flag(flags, RuleFlag.C, value, at);
                case "preserve" -> flag(flags, RuleFlag.P, value, at);
                case "fix_binary" -> flag(flags, RuleFlag.F, value, at);
                case "detector" -> throw new RuleSyntaxException(at, 1, "detector programs are not supported: "
                        + "jbinfmt cannot run a detector at exec time (remove the line to use the rule without it)");
                default -> throw new RuleSyntaxException(at, 1, "unknown binfmt-support key '" + key + "'");
            }
        }
        RuleSource source = new RuleSource(fileName, 0);
        if (interpreter == null) {
            throw new RuleSyntaxException(source, 1, "no interpreter line");
        }
        if ((magic == null) == (extension == null)) {
            throw new RuleSyntaxException(source, 1, "exactly one of 'magic' and 'extension' is needed");
        }
        List<String> fields = magic != null
                ? List.of(name, "M", offset, magic, mask, interpreter)
                : List.of(name, "E", "", extension, "", interpreter);
        char del = delimiter(fields, source);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (String f : fields) {
            line.write(del);
            line.writeBytes(RuleText.bytes(f));
        }
        line.write(del);
        for (RuleFlag f : flags) {
            line.write(f.letter);
        }
        try {
            return RuleParser.parse(line.toByteArray(), source);
        } catch (RuleSyntaxException e) {
            throw new RuleSyntaxException(source, 1, e.reason() + " (in the register string built from the file)");
        }
    }

    private static void flag(Set<RuleFlag> flags, RuleFlag flag, String value, RuleSource at)
            throws RuleSyntaxException {
        switch (value) {
            case "yes" -> flags.add(flag);
            case "no", "" -> { }
            default -> throw new RuleSyntaxException(at, 1, "expected 'yes' or 'no', got '" + value + "'");
        }
    }

    /**
     * A byte found in no field, to join them as a register string. The common ones first, so the line reads
     * well in `jbinfmt rules`; then any other byte the parser cannot mistake for field content: no letter or digit
     * (flags and hex escapes), no backslash (escapes), no blank or newline (trimmed from lines).
     */
    private static char delimiter(List<String> fields, RuleSource source) throws RuleSyntaxException {
        for (char c : new char[]{':', '|', ',', '#', '%', '!', '@', ';'}) {
            if (unused(fields, c)) {
                return c;
            }
        }
        for (char c = 1; c <= 0xff; c++) {
            boolean plain = Character.isLetterOrDigit(c) || c == '\\' || c == ' ' || c == '\t' || c == '\n'
                    || c == '\r' || c == 0x0b || c == 0x0c;
            if (!plain && unused(fields, c)) {
                return c;
            }
        }
        throw new RuleSyntaxException(source, 1, "the fields use every byte that could separate them in a register "
                + "string (name, magic, mask and interpreter together leave no delimiter free)");
    }

    private static boolean unused(List<String> fields, char c) {
        return fields.stream().noneMatch(f -> f.indexOf(c) >= 0);
    }

}
