package io.jbinfmt.cli.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a JSON-lines log that {@code jbinfmt --log FILE --log-format json} wrote: exec and exit records, in file
 * order. Unknown fields and unknown kinds of event are skipped, so newer logs still read; a record without
 * "event" is an exec record, as logs written before exit records existed have none.
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
    static List<LogRecord> read(Path file) throws BadLogException {
        List<LogRecord> records = new ArrayList<>();
        // Lines are split as bytes (ISO-8859-1 maps each byte to one char) and decoded one by one, so that a line
        // that is not UTF-8 is named exactly. Strings in the log are opaque; a byte that is not UTF-8 is written as a
        // JSON escape, never raw.
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String bytes;
            int n = 0;
            while ((bytes = in.readLine()) != null) {
                n++;
                String where = file + ":" + n;
                LogRecord r = parse(utf8(bytes, where), where);
                if (r != null) {
                    records.add(r);
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

    /** One line; null for a blank line or an event this reader does not know. */
    static LogRecord parse(String line, String where) throws BadLogException {
        if (line.isBlank()) {
            return null;
        }
        Object value;
        try (JsonParser p = JSON.std.createParser(line)) {
            value = JSON.std.anyFrom(p);
            if (p.nextToken() != null) {
                throw new BadLogException(where + ": not one JSON value: more text follows it");
            }
        } catch (JsonProcessingException e) {
            throw new BadLogException(where + ": not JSON (" + e.getOriginalMessage()
                    + "); was the log written with --log-format json?");
        } catch (IOException e) {
            throw new BadLogException(where + ": " + reason(e));
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new BadLogException(where + ": not a JSON object but " + kind(value));
        }
        Fields f = new Fields(map, where);
        String event = f.string("event", false);
        if (event == null || event.equals("exec")) {
            String decision = f.string("decision", true);
            boolean rewrite = decision.equals("rewrite");
            String interpreter = f.string("interpreter", false);
            if (interpreter == null && rewrite) {
                List<String> argv = f.strings("argv", true); // older logs: the interpreter is what runs
                interpreter = argv.isEmpty() ? "" : argv.getFirst();
            }
            return new LogRecord.Exec(where, f.pid(), f.string("path", true), f.strings("args", false), decision,
                    rewrite ? f.strings("rules", true) : List.of(), interpreter);
        }
        if (event.equals("exit")) {
            Double rss = f.number("max_rss_kb");
            return new LogRecord.Exit(where, f.pid(), f.string("path", false), f.outcome(), f.number("wall_ms"),
                    f.number("user_ms"), f.number("sys_ms"), rss == null ? null : rss.longValue());
        }
        return null; // a kind of record newer than this reader
    }

    /** The fields of one record, each read with its type checked; messages name the record's place. */
    private record Fields(Map<?, ?> map, String where) {
        String string(String name, boolean required) throws BadLogException {
            Object v = map.get(name);
            if (v == null) {
                if (required) {
                    throw new BadLogException(where + ": \"" + name + "\" is missing");
                }
                return null;
            }
            if (!(v instanceof String s)) {
                throw new BadLogException(where + ": \"" + name + "\" must be a string, not " + kind(v));
            }
            return s;
        }

        List<String> strings(String name, boolean required) throws BadLogException {
            Object v = map.get(name);
            if (v == null) {
                if (required) {
                    throw new BadLogException(where + ": \"" + name + "\" is missing");
                }
                return null;
            }
            if (!(v instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
                throw new BadLogException(where + ": \"" + name + "\" must be an array of strings");
            }
            return list.stream().map(String.class::cast).toList();
        }

        /** A number, or null when absent or null (the engine could not measure it). */
        Double number(String name) throws BadLogException {
            Object v = map.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < 0) {
                throw new BadLogException(where + ": \"" + name + "\" must be a number >= 0, not " + kind(v));
            }
            return n.doubleValue();
        }

        int integer(String name) throws BadLogException {
            Object v = map.get(name);
            if (v == null) {
                throw new BadLogException(where + ": \"" + name + "\" is missing");
            }
            if (!(v instanceof Integer i)) {
                throw new BadLogException(where + ": \"" + name + "\" must be an integer, not " + kind(v));
            }
            return i;
        }

        int pid() throws BadLogException {
            return integer("pid");
        }

        Outcome outcome() throws BadLogException {
            String status = string("status", true);
            return switch (status) {
                case "exited" -> new Outcome.Exited(integer("exit_code"));
                case "killed" -> new Outcome.Killed(string("signal", true), map.get("core") == Boolean.TRUE);
                case "exec" -> new Outcome.ExecdAnother();
                case "unknown" -> new Outcome.EndUnknown();
                default -> throw new BadLogException(where + ": \"status\" must be exited, killed, exec or unknown, "
                        + "not \"" + status + "\"");
            };
        }
    }

    private static String kind(Object v) {
        return switch (v) {
            case null -> "null";
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> n.toString();
            default -> v.getClass().getSimpleName();
        };
    }

    private static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }
}
