package io.tideway.core.project;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The steps of a project, in the order they run. */
public enum Step {
    SCHEMA, FULL, INCREMENTAL, VERIFY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Step fromId(String id) {
        for (Step s : values()) {
            if (s.id().equalsIgnoreCase(id == null ? "" : id.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown step '" + id + "'; expected one of "
                + Arrays.stream(values()).map(Step::id).collect(Collectors.joining(", ")));
    }
}
