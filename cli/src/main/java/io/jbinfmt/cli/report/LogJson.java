package io.jbinfmt.cli.report;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON exec log's one writer and one reader: a {@link LogRecord} as one line and back. The field names,
 * their order and which may be absent or null are spelled here only. Unknown fields and unknown kinds of event
 * are skipped, so newer logs still read; a record without "event" is an exec record, as logs written before exit
 * records existed have none.
 */
public final class LogJson {
    /**
     * Lines as jbinfmt has always written them: times as exact decimals ("12.300", never 12.3 or 1.2E1), nulls
     * kept (a null says "not measured"), non-ASCII text raw, and control characters as lower-case {@code \}{@code
     * u00xx} but for \n, \t and \r.
     */
    private static final JSON LOG = JSON.builder(new JsonFactoryBuilder()
                    .characterEscapes(new ControlEscapes())
                    .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
                    .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
                    .build())
            .enable(JSON.Feature.WRITE_NULL_PROPERTIES, JSON.Feature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private LogJson() {
    }

    /** One line of the log, without its newline. */
    public static String write(LogRecord record) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (record) {
            case LogRecord.Exec e -> {
                m.put("event", "exec");
                putKnown(m, "time_ms", e.timeMs());
                m.put("pid", e.pid());
                m.put("path", e.path());
                switch (e.decision()) {
                    case LogRecord.Pass p -> m.put("decision", "pass");
                    case LogRecord.Fail f -> {
                        m.put("decision", "fail");
                        m.put("errno", f.errno());
                        m.put("reason", f.reason());
                    }
                    case LogRecord.Rewrite w -> {
                        putKnown(m, "args", w.args());
                        m.put("decision", "rewrite");
                        m.put("rules", w.rules());
                        m.put("interpreter", w.interpreter());
                        m.put("argv", w.argv());
                        m.put("preserve_argv0", w.preserveArgv0());
                        m.put("execfd", w.execfd());
                    }
                }
            }
            case LogRecord.Exit x -> {
                m.put("event", "exit");
                putKnown(m, "time_ms", x.timeMs());
                m.put("pid", x.pid());
                putKnown(m, "path", x.path());
                putKnown(m, "rules", x.rules());
                m.putAll(outcome(x.outcome()));
                m.put("wall_ms", x.wallMs());
                m.put("user_ms", x.userMs());
                m.put("sys_ms", x.sysMs());
                m.put("max_rss_kb", x.maxRssKb());
            }
        }
        try {
            return LOG.asString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // strings, numbers and lists of strings always write
        }
    }

    /** Fields that older logs lack are left out when unknown, as those logs had them. */
    private static void putKnown(Map<String, Object> m, String name, Object value) {
        if (value != null) {
            m.put(name, value);
        }
    }

    /**
     * How a process ended, as the exit record's fields: status, and exit_code or signal and core; report and diff
     * print the same in their JSON ("unfinished" there, for a process whose log has no exit record).
     */
    static Map<String, Object> outcome(Outcome outcome) {
        Map<String, Object> m = new LinkedHashMap<>();
        switch (outcome) {
            case Outcome.Exited e -> {
                m.put("status", "exited");
                m.put("exit_code", e.code());
            }
            case Outcome.Killed k -> {
                m.put("status", "killed");
                m.put("signal", k.signal());
                m.put("core", k.core());
            }
            case Outcome.ExecdAnother x -> m.put("status", "exec");
            case Outcome.Unfinished u -> m.put("status", "unfinished");
            case Outcome.EndUnknown u -> m.put("status", "unknown");
        }
        return m;
    }

    /** One line; null for a blank line, an event or a decision this reader does not know. */
    public static LogRecord read(String line, String where) throws BadLogException {
        if (line.isBlank()) {
            return null;
        }
        Object value;
        try (JsonParser p = LOG.createParser(line)) {
            value = LOG.anyFrom(p);
            if (p.nextToken() != null) {
                throw new BadLogException(where + ": not one JSON value: more text follows it");
            }
        } catch (JsonProcessingException e) {
            throw new BadLogException(where + ": not JSON (" + e.getOriginalMessage()
                    + "); was the log written with --log-format json?");
        } catch (IOException e) {
            throw new BadLogException(where + ": " + e.getMessage());
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new BadLogException(where + ": not a JSON object but " + kind(value));
        }
        Fields f = new Fields(map, where);
        String event = f.string("event", false);
        if (event == null || event.equals("exec")) {
            BigDecimal time = f.number("time_ms");
            int pid = f.pid();
            String path = f.string("path", true);
            LogRecord.Decision decision = switch (f.string("decision", true)) {
                case "pass" -> new LogRecord.Pass();
                case "fail" -> new LogRecord.Fail(f.string("errno", false), f.string("reason", false));
                case "rewrite" -> rewrite(f);
                default -> null; // a decision newer than this reader
            };
            return decision == null ? null : new LogRecord.Exec(time, pid, path, decision);
        }
        if (event.equals("exit")) {
            BigDecimal rss = f.number("max_rss_kb");
            return new LogRecord.Exit(f.number("time_ms"), f.pid(), f.string("path", false), f.strings("rules", false),
                    f.outcome(), f.number("wall_ms"), f.number("user_ms"), f.number("sys_ms"),
                    rss == null ? null : rss.longValue());
        }
        return null; // a kind of record newer than this reader
    }

    private static LogRecord.Rewrite rewrite(Fields f) throws BadLogException {
        List<String> args = f.strings("args", false);
        List<String> rules = f.strings("rules", true);
        List<String> argv = f.strings("argv", true);
        String interpreter = f.string("interpreter", false);
        if (interpreter == null) {
            interpreter = argv.isEmpty() ? "" : argv.getFirst(); // older logs: the interpreter is what runs
        }
        return new LogRecord.Rewrite(args, rules, interpreter, argv, f.flag("preserve_argv0"), f.flag("execfd"));
    }

    /** The fields of one record, each read with its type checked; messages name the record's place. */
    private record Fields(Map<?, ?> map, String where) {
        String string(String name, boolean required) throws BadLogException {
            Object v = present(name, required);
            if (v != null && !(v instanceof String)) {
                throw new BadLogException(where + ": \"" + name + "\" must be a string, not " + kind(v));
            }
            return (String) v;
        }

        List<String> strings(String name, boolean required) throws BadLogException {
            Object v = present(name, required);
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
                throw new BadLogException(where + ": \"" + name + "\" must be an array of strings");
            }
            return list.stream().map(String.class::cast).toList();
        }

        /** A number, or null when absent or null (the engine could not measure it). */
        BigDecimal number(String name) throws BadLogException {
            Object v = map.get(name);
            BigDecimal d = switch (v) {
                case null -> null;
                case BigDecimal b -> b;
                case Integer i -> BigDecimal.valueOf(i);
                case Long l -> BigDecimal.valueOf(l);
                case BigInteger b -> new BigDecimal(b);
                default -> throw new BadLogException(where + ": \"" + name + "\" must be a number >= 0, not "
                        + kind(v));
            };
            if (d != null && d.signum() < 0) {
                throw new BadLogException(where + ": \"" + name + "\" must be a number >= 0, not " + kind(v));
            }
            return d;
        }

        /** A flag that older records may lack: false then. */
        boolean flag(String name) throws BadLogException {
            Object v = map.get(name);
            if (v != null && !(v instanceof Boolean)) {
                throw new BadLogException(where + ": \"" + name + "\" must be true or false, not " + kind(v));
            }
            return v == Boolean.TRUE;
        }

        int integer(String name) throws BadLogException {
            Object v = present(name, true);
            if (!(v instanceof Integer i)) {
                throw new BadLogException(where + ": \"" + name + "\" must be an integer, not " + kind(v));
            }
            return i;
        }

        int pid() throws BadLogException {
            return integer("pid");
        }

        private Object present(String name, boolean required) throws BadLogException {
            Object v = map.get(name);
            if (v == null && required) {
                throw new BadLogException(where + ": \"" + name + "\" is missing");
            }
            return v;
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

    /** JSON's escapes but for \b and \f, which are written as \u0008 and \u000c, as the log always had them. */
    private static final class ControlEscapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        static {
            ASCII['\b'] = ESCAPE_STANDARD;
            ASCII['\f'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null;
        }
    }
}
