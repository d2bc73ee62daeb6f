package io.tideway.engine.config;

import io.tideway.core.model.ErrorCode;
import io.tideway.core.model.TidewayException;
import java.util.ArrayList;
import java.util.List;

/** Collects every problem of a project file, each prefixed with the file name and its line. */
final class Problems {
    private final String source;
    private final List<String> messages = new ArrayList<>();

    Problems(String source) {
        this.source = source;
    }

    /** A problem at {@code pos}; {@link YamlTree.Pos#COMMAND_LINE} for a value given by {@code --set}. */
    void add(YamlTree.Pos pos, String message) {
        messages.add(source + (pos.line() == 0 ? ": --set: " : ": line " + pos.line() + ": ") + message);
    }

    void addWithColumn(YamlTree.Pos pos, String message) {
        messages.add(source + ": line " + pos.line() + ", column " + pos.column() + ": " + message);
    }

    int size() {
        return messages.size();
    }

    boolean isEmpty() {
        return messages.isEmpty();
    }

    /** Throws CONFIG_INVALID with all problems, one per line, if there are any. */
    void throwIfAny() {
        if (!messages.isEmpty()) {
            throw new TidewayException(ErrorCode.CONFIG_INVALID, String.join("\n", messages));
        }
    }
}
