package io.jbinfmt.cli.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSON-lines log that {@code jbinfmt --log FILE --log-format json} wrote: exec and exit records, in file
 * order, each line as {@link LogJson#read} reads it.
 */
public final class OutcomeLog {
    /** What exit status 125 means for report and diff, in their --help and man page. */
    public static final String BAD_INPUT = "125:bad input: a LOG cannot be read, or a line is not a JSON object or not a "
            + "record of this format (named as LOG:LINE: reason)";
    /** Their --json option's description. */
    public static final String JSON_OUTPUT = "Print one JSON document instead of text tables (times in ms; unknown times "
            + "are null).";

    private OutcomeLog() {
    }

    /** Every exec and exit record of {@code file}; blank lines are skipped. */
    static List<LogLine> read(Path file) throws BadLogException {
        List<LogLine> records = new ArrayList<>();
        // Lines are split as bytes (ISO-8859-1 maps each byte to one char) and decoded one by one, so that a line
        // that is not UTF-8 is named exactly. Strings in the log are opaque; a byte that is not UTF-8 is written as a
        // JSON escape, never raw.
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String bytes;
            int n = 0;
            while ((bytes = in.readLine()) != null) {
                n++;
                String where = file + ":" + n;
                LogRecord r = LogJson.read(utf8(bytes, where), where);
                if (r != null) {
                    records.add(new LogLine(where, r));
                }
            }
        } catch (IOException e) {
            throw new BadLogException(file + ": cannot read: " + reason(e));
        }
        return records;
    }

    private static String utf8(String bytes, String where) throws BadLogException {
        if (bytes.chars().allMatch(c -> c < 0x80)) {
            return bytes;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new BadLogException(where + ": not UTF-8 text, which a JSON log always is");
        }
    }

    /** The processes of one log, linked: what report and diff work on. */
    public static ProcessRuns runs(Path file) throws BadLogException {
        return ProcessRuns.link(read(file));
    }

    private static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }
}
