package io.tideway.core.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a setting's value is written as text and read back. {@link #parse} throws
 * {@link IllegalArgumentException} whose message says what is expected (it never repeats the key:
 * the caller prefixes it).
 *
 * @param <T> the value's Java type
 */
public interface SettingType<T> {

    /** A whole number, optionally followed by ms, s, m or h. */
    Pattern DURATION = Pattern.compile("(\\d{1,15})\\s*(ms|s|m|h)?");

    /** The type as the settings tables show it, e.g. "integer", "one of follow, ignore, stop". */
    String name();

    T parse(String text);

    String format(T value);

    /** A whole number between {@code min} and {@code max}, both included. */
    static SettingType<Long> integer(long min, long max) {
        return new Simple<>("integer" + range(min, max), t -> {
            long v;
            try {
                v = Long.parseLong(t.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number" + range(min, max) + ", got '" + t + "'");
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException("expected a whole number" + range(min, max) + ", got " + v);
            }
            return v;
        }, String::valueOf);
    }

    /** A decimal number between {@code min} and {@code max}; {@code minExclusive} leaves out min itself. */
    static SettingType<Double> decimal(double min, boolean minExclusive, double max) {
        String expected = max == Double.MAX_VALUE ? "a number " + (minExclusive ? "above " : ">= ") + plain(min)
                : "a number " + (minExclusive ? "above " : "from ") + plain(min) + (minExclusive ? " and at most " : " to ")
                + plain(max);
        return decimal(min, minExclusive, max, expected);
    }

    /** {@link #decimal(double, boolean, double)} whose message says {@code expected} (e.g. "a share above 0 and at most 1"). */
    static SettingType<Double> decimal(double min, boolean minExclusive, double max, String expected) {
        String name = "number " + (minExclusive ? "above " : max == Double.MAX_VALUE ? ">= " : "from ") + plain(min)
                + (max == Double.MAX_VALUE ? "" : (minExclusive ? " and at most " : " to ") + plain(max));
        return new Simple<>(name, t -> {
            double v;
            try {
                v = Double.parseDouble(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected " + expected + ", got '" + t + "'");
            }
            if (Double.isNaN(v) || Double.isInfinite(v) || v < min || (minExclusive && v == min) || v > max) {
                throw new IllegalArgumentException("expected " + expected + ", got " + t.trim());
            }
            return v;
        }, SettingType::plain);
    }

    /** true or false. */
    static SettingType<Boolean> bool() {
        return new Simple<>("true or false", t -> switch (t.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("expected true or false, got '" + t + "'");
        }, String::valueOf);
    }

    /** Any text, taken as it is. */
    static SettingType<String> text() {
        return new Simple<>("text", t -> t, v -> v);
    }

    /** Any text, taken as it is; {@code what} says what it is, e.g. "a host name or IP address". */
    static SettingType<String> text(String what) {
        return new Simple<>(what, t -> t, v -> v);
    }

    /**
     * A list of values of {@code item}; as one piece of text (a command-line override), its items
     * separated by commas.
     */
    static <E> ListType<E> listOf(SettingType<E> item) {
        return new ListType<>("list of " + item.name(), item);
    }

    /** {@link #listOf(SettingType)} named as the settings tables and messages show it, e.g. "a list of schema.table patterns". */
    static <E> ListType<E> listOf(String name, SettingType<E> item) {
        return new ListType<>(name, item);
    }

    /**
     * A mapping of names to text; as one piece of text, {@code name=value} pairs separated by commas.
     *
     * @param what what the mapping holds, e.g. "mapping of schema.table to table"
     * @param keyProblem what is wrong with a key (null when nothing), e.g. "should be schema.table";
     *     null when any key will do
     * @param valueWhat what a value must be when it may not be empty (e.g. "a name"); null when an
     *     empty value is fine
     */
    static MapType mapOf(String what, Function<String, String> keyProblem, String valueWhat) {
        return new MapType(what, keyProblem, valueWhat);
    }

    /** One of a fixed list of words (compared ignoring case, stored lower case). */
    static SettingType<String> oneOf(String... values) {
        List<String> allowed = Arrays.stream(values).map(v -> v.toLowerCase(Locale.ROOT)).toList();
        String list = String.join(", ", allowed);
        return new Simple<>("one of " + list, t -> {
            String v = t.trim().toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new IllegalArgumentException("expected one of " + list + ", got '" + t + "'");
            }
            return v;
        }, v -> v);
    }

    /**
     * A length of time between {@code min} and {@code max}: a number followed by ms, s, m or h
     * ({@code 500ms}, {@code 20s}, {@code 10m}); a bare number counts in {@code bareUnit}.
     */
    static SettingType<Duration> duration(Duration min, Duration max, String bareUnit) {
        Map<String, Function<Long, Duration>> units = Map.of("ms", Duration::ofMillis, "s", Duration::ofSeconds,
                "m", Duration::ofMinutes, "h", Duration::ofHours);
        if (!units.containsKey(bareUnit)) {
            throw new IllegalArgumentException("unit " + bareUnit);
        }
        String expected = "a duration from " + formatDuration(min) + " to " + formatDuration(max)
                + " (a number with ms, s, m or h; a bare number is in " + bareUnit + ")";
        return new Simple<>("duration", t -> {
            Matcher m = DURATION.matcher(t.trim().toLowerCase(Locale.ROOT).replace("_", ""));
            Duration d;
            try {
                if (!m.matches()) {
                    throw new IllegalArgumentException(t);
                }
                d = units.get(m.group(2) == null ? bareUnit : m.group(2)).apply(Long.parseLong(m.group(1)));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("expected " + expected + ", got '" + t + "'");
            }
            if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
                throw new IllegalArgumentException("expected " + expected + ", got '" + t + "'");
            }
            return d;
        }, SettingType::formatDuration);
    }

    /** The shortest exact spelling: 500ms, 20s, 10m, 2h. */
    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return " >= " + min;
        }
        return " from " + min + " to " + max;
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** A list of items of one type. */
    record ListType<E>(String name, SettingType<E> item) implements SettingType<List<E>> {

        @Override
        public List<E> parse(String text) {
            if (text == null) {
                throw new IllegalArgumentException("a value is required");
            }
            List<E> out = new ArrayList<>();
            if (text.isBlank()) {
                return out;
            }
            for (String part : text.split(",", -1)) {
                if (part.isBlank()) {
                    throw new IllegalArgumentException("expected " + name() + " separated by commas, got '" + text + "'");
                }
                out.add(item.parse(part.trim()));
            }
            return List.copyOf(out);
        }

        @Override
        public String format(List<E> value) {
            return value == null ? "" : String.join(",", value.stream().map(item::format).toList());
        }
    }

    /** A mapping of names to text, keys checked by {@code keyProblem}. */
    record MapType(String name, Function<String, String> keyProblem, String valueWhat)
            implements SettingType<Map<String, String>> {
        /** Why {@code key} is no key of this mapping, or null. */
        public String problemOf(String key) {
            return keyProblem == null ? null : keyProblem.apply(key);
        }

        @Override
        public Map<String, String> parse(String text) {
            if (text == null) {
                throw new IllegalArgumentException("a value is required");
            }
            Map<String, String> out = new LinkedHashMap<>();
            if (text.isBlank()) {
                return out;
            }
            for (String pair : text.split(",", -1)) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("expected name=value pairs separated by commas, got '" + text + "'");
                }
                String key = pair.substring(0, eq).trim();
                String problem = problemOf(key);
                if (problem != null) {
                    throw new IllegalArgumentException("key '" + key + "' " + problem);
                }
                String value = pair.substring(eq + 1).trim();
                if (value.isEmpty() && valueWhat != null) {
                    throw new IllegalArgumentException(key + ": expected " + valueWhat + ", got nothing");
                }
                out.put(key, value);
            }
            return out;
        }

        @Override
        public String format(Map<String, String> value) {
            if (value == null) {
                return "";
            }
            List<String> pairs = new ArrayList<>();
            value.forEach((k, v) -> pairs.add(k + "=" + v));
            return String.join(",", pairs);
        }
    }

    /** A type made of a name, a parser and a formatter. */
    record Simple<T>(String name, Function<String, T> parser, Function<T, String> formatter) implements SettingType<T> {
        @Override
        public T parse(String text) {
            if (text == null) {
                throw new IllegalArgumentException("a value is required");
            }
            return parser.apply(text);
        }

        @Override
        public String format(T value) {
            return value == null ? "" : formatter.apply(value);
        }
    }
}
