package io.tideway.core.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Values of a set of declared settings, validated: every declared setting has its value (the one
 * set, or its default). Immutable.
 */
public final class SettingValues {
    private final Map<String, Setting<?>> declared;
    private final Map<String, Object> values;
    private final Map<String, String> set;

    private SettingValues(Map<String, Setting<?>> declared, Map<String, Object> values, Map<String, String> set) {
        this.declared = declared;
        this.values = values;
        this.set = set;
    }

    /** One problem of a set of values: the key and what is wrong with it. */
    public record Problem(String key, String message) {
        @Override
        public String toString() {
            return message;
        }
    }

    /** Thrown by {@link #of} with every problem at once. */
    public static final class Invalid extends IllegalArgumentException {
        private final transient List<Problem> problems;

        Invalid(List<Problem> problems) {
            super(problems.stream().map(Problem::message).collect(Collectors.joining("\n")));
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    /**
     * Reads {@code text} (key -> value as text) against {@code declarations}: an unknown key, a value
     * that does not parse, all reported at once in {@link Invalid}, each naming the key and what is expected.
     */
    public static SettingValues of(List<? extends Setting<?>> declarations, Map<String, String> text) {
        Map<String, Setting<?>> declared = new LinkedHashMap<>();
        declarations.forEach(s -> declared.put(s.key(), s));
        List<Problem> problems = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting<?> s : declarations) {
            values.put(s.key(), s.defaultValue());
        }
        Map<String, String> set = new LinkedHashMap<>();
        text.forEach((k, v) -> {
            Setting<?> s = declared.get(k);
            if (s == null) {
                problems.add(new Problem(k, "unknown key '" + k + "'; expected one of " + String.join(", ", declared.keySet())));
                return;
            }
            try {
                values.put(k, s.parse(v));
                set.put(k, v);
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(k, e.getMessage()));
            }
        });
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return new SettingValues(declared, Collections.unmodifiableMap(values), Collections.unmodifiableMap(set));
    }

    /**
     * Values already read and checked (key -> value of the setting's type), e.g. by a reader that
     * reports each problem with its line; every other declared setting takes its default.
     *
     * @throws IllegalArgumentException for a key not declared
     */
    public static SettingValues ofValues(List<? extends Setting<?>> declarations, Map<String, ?> given) {
        Map<String, Setting<?>> declared = new LinkedHashMap<>();
        declarations.forEach(s -> declared.put(s.key(), s));
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> set = new LinkedHashMap<>();
        for (Setting<?> s : declarations) {
            values.put(s.key(), s.defaultValue());
        }
        given.forEach((k, v) -> {
            Setting<?> s = declared.get(k);
            if (s == null) {
                throw new IllegalArgumentException("unknown key '" + k + "'");
            }
            values.put(k, v);
            set.put(k, formatObject(s, v));
        });
        return new SettingValues(declared, Collections.unmodifiableMap(values), Collections.unmodifiableMap(set));
    }

    @SuppressWarnings("unchecked")
    private static <T> String formatObject(Setting<T> s, Object v) {
        return s.type().format((T) v);
    }

    /** The defaults of {@code declarations}. */
    public static SettingValues defaults(List<? extends Setting<?>> declarations) {
        return of(declarations, Map.of());
    }

    /** The value of a declared setting (its default where none was set). */
    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> s) {
        if (!declared.containsKey(s.key())) {
            throw new IllegalArgumentException("setting " + s.key() + " is not declared here");
        }
        return (T) values.get(s.key());
    }

    /** The value of the setting declared as {@code key}. */
    public Object get(String key) {
        if (!declared.containsKey(key)) {
            throw new IllegalArgumentException("setting " + key + " is not declared here");
        }
        return values.get(key);
    }

    /** The keys set explicitly, with their text as given. */
    public Map<String, String> explicit() {
        return set;
    }

    /** These values with {@code changes} (key -> text) applied, validated as {@link #of} does. */
    public SettingValues with(Map<String, String> changes) {
        Map<String, String> merged = new LinkedHashMap<>(set);
        merged.putAll(changes);
        return of(List.copyOf(declared.values()), merged);
    }

    /** Every value as text, secrets masked, in declaration order. */
    public Map<String, String> masked() {
        Map<String, String> out = new LinkedHashMap<>();
        declared.forEach((k, s) -> out.put(k, s.displayObject(values.get(k))));
        return out;
    }

    @Override
    public String toString() {
        return masked().toString();
    }
}
