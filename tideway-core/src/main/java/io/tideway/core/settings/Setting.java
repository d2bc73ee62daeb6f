package io.tideway.core.settings;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One setting, declared once: everything that reads, writes, validates, documents or shows it is
 * derived from this declaration.
 *
 * @param key the dotted key: a project file's path ({@code full.chunk-size}); for a component, its
 *     section and name ({@code coordinator.batchMaxRows}); for the server, its parameter name
 * @param type how the value is written and read
 * @param defaultValue the value when none is set; null when the setting is required or its default
 *     is worked out (then {@code defaultText} says how)
 * @param defaultText the default as the settings tables show it
 * @param unit the unit of a number ("rows", "MB/s"), or "" where it has none or the type carries it
 * @param description one or more sentences for the settings tables, forms and {@code --help}
 * @param scope where it is set
 * @param components for a {@link Scope#COMPONENT} setting, the kinds of component that have it
 *     (e.g. "connector"); empty otherwise
 * @param live whether a change takes effect while the component or project runs (else at its next start)
 * @param secret whether the value is masked wherever settings are printed, logged or returned
 * @param <T> the value's Java type
 */
public record Setting<T>(String key, SettingType<T> type, T defaultValue, String defaultText, String unit,
                         String description, Scope scope, Set<String> components, boolean live, boolean secret) {

    /** What a masked secret shows. */
    public static final String MASK = "******";

    /** The default text of a setting that must be set. */
    public static final String REQUIRED = "none: required";

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(scope, "scope");
        unit = unit == null ? "" : unit;
        description = description == null ? "" : description.strip();
        components = components == null ? Set.of() : Set.copyOf(components);
        defaultText = defaultText != null ? defaultText : defaultValue == null ? "" : type.format(defaultValue);
    }

    /** Starts a declaration. */
    public static <T> Builder<T> of(String key, SettingType<T> type) {
        return new Builder<>(key, type);
    }

    /** For a {@link Scope#COMPONENT} setting: its section (source, sink or coordinator). */
    public String section() {
        int dot = key.indexOf('.');
        return dot < 0 ? "" : key.substring(0, dot);
    }

    /** Whether a value must be set (it has no default). */
    public boolean required() {
        return defaultValue == null && REQUIRED.equals(defaultText);
    }

    /** The last part of the key. */
    public String name() {
        return key.substring(key.lastIndexOf('.') + 1);
    }

    /**
     * This declaration as the setting {@code section.key}, its description following {@code what}
     * (a connection setting of a plugin as a project file's {@code source} or {@code destination} holds it).
     */
    public Setting<T> under(String section, String what) {
        return new Setting<>(section + "." + key, type, defaultValue, defaultText, unit, what + ": " + description, scope,
                components, live, secret);
    }

    /** Reads a value; the message of the {@link IllegalArgumentException} starts with the key. */
    public T parse(String text) {
        try {
            return type.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** The value as text, or {@link #MASK} for a secret that is set. */
    public String display(T value) {
        if (secret) {
            return value == null || type.format(value).isEmpty() ? "" : MASK;
        }
        return type.format(value);
    }

    /** {@link #display} for a value known only as an object of this setting's type. */
    @SuppressWarnings("unchecked")
    public String displayObject(Object value) {
        return display((T) value);
    }

    /** A declaration under way. */
    public static final class Builder<T> {
        private final String key;
        private final SettingType<T> type;
        private T defaultValue;
        private String defaultText;
        private String unit = "";
        private String description = "";
        private Scope scope = Scope.PROJECT;
        private Set<String> components = Set.of();
        private boolean live;
        private boolean secret;

        Builder(String key, SettingType<T> type) {
            this.key = key;
            this.type = type;
        }

        public Builder<T> defaultValue(T v) {
            this.defaultValue = v;
            return this;
        }

        /** No default: a value must be set. */
        public Builder<T> required() {
            this.defaultValue = null;
            this.defaultText = REQUIRED;
            return this;
        }

        /** A default that is worked out, described in words. */
        public Builder<T> defaultText(String text) {
            this.defaultText = text;
            return this;
        }

        public Builder<T> unit(String u) {
            this.unit = u;
            return this;
        }

        public Builder<T> description(String d) {
            this.description = d;
            return this;
        }

        public Builder<T> scope(Scope s) {
            this.scope = s;
            return this;
        }

        /** A component setting of the given kinds. */
        public Builder<T> component(String... kinds) {
            this.scope = Scope.COMPONENT;
            this.components = Set.copyOf(List.of(kinds));
            return this;
        }

        public Builder<T> live() {
            this.live = true;
            return this;
        }

        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        public Setting<T> build() {
            return new Setting<>(key, type, defaultValue, defaultText, unit, description, scope, components, live, secret);
        }
    }
}
