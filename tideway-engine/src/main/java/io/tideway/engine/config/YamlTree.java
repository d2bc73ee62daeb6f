package io.tideway.engine.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * A YAML document read into a small tree that, unlike Jackson's {@code JsonNode}, remembers the
 * line of every key and value, so that every complaint about a project file can say where.
 */
final class YamlTree {
    private YamlTree() { }

    /** Where something is in the file (1-based). */
    record Pos(int line, int column) {
        /** Where a value given on the command line ({@code --set}) is. */
        static final Pos COMMAND_LINE = new Pos(0, 0);

        static Pos of(JsonLocation l) {
            return new Pos(Math.max(1, l.getLineNr()), Math.max(1, l.getColumnNr()));
        }
    }

    sealed interface Node permits MapNode, ListNode, ScalarNode {
        Pos pos();

        /** What kind of value this is, for messages. */
        String kind();
    }

    record Entry(String key, Pos keyPos, Node value) { }

    record MapNode(Pos pos, Map<String, Entry> entries) implements Node {
        @Override
        public String kind() {
            return "a mapping";
        }
    }

    record ListNode(Pos pos, List<Node> items) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** A scalar; {@code token} tells how YAML typed it (string, number, boolean, null). */
    record ScalarNode(Pos pos, JsonToken token, String text) implements Node {
        boolean isNull() {
            return token == JsonToken.VALUE_NULL;
        }

        @Override
        public String kind() {
            return isNull() ? "nothing (null)" : "'" + text + "'";
        }
    }

    /** A malformed document. */
    static final class SyntaxError extends Exception {
        final Pos pos;

        SyntaxError(Pos pos, String message) {
            super(message);
            this.pos = pos;
        }
    }

    /**
     * Parses one YAML document; returns null for an empty one. Duplicate keys are reported
     * through {@code duplicates} (with their path) and the later value wins.
     */
    static Node parse(String yaml, Problems duplicates) throws SyntaxError {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            Node root = read(p, "", duplicates);
            JsonToken extra = p.nextToken();
            if (extra != null) {
                throw new SyntaxError(Pos.of(p.currentTokenLocation()),
                        "a second YAML document starts here; a project file holds exactly one");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new SyntaxError(new Pos(1, 1), e.getMessage());
        }
    }

    private static Node read(JsonParser p, String path, Problems duplicates) throws IOException {
        JsonToken t = p.currentToken();
        Pos pos = Pos.of(p.currentTokenLocation());
        if (t == JsonToken.START_OBJECT) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                Pos keyPos = Pos.of(p.currentTokenLocation());
                p.nextToken();
                String childPath = path.isEmpty() ? key : path + "." + key;
                Node value = read(p, childPath, duplicates);
                if (entries.containsKey(key)) {
                    duplicates.add(keyPos, "duplicate key '" + key + "'" + (path.isEmpty() ? "" : " in " + path)
                            + " (first at line " + entries.get(key).keyPos().line() + ")");
                }
                entries.put(key, new Entry(key, keyPos, value));
            }
            return new MapNode(pos, entries);
        }
        if (t == JsonToken.START_ARRAY) {
            List<Node> items = new ArrayList<>();
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                items.add(read(p, path + "[" + i++ + "]", duplicates));
            }
            return new ListNode(pos, items);
        }
        return new ScalarNode(pos, t, t == JsonToken.VALUE_NULL ? null : p.getText());
    }

    private static SyntaxError syntaxError(JsonProcessingException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m && m.getProblemMark() != null) {
                Mark at = m.getProblemMark();
                String msg = m.getProblem() == null ? "malformed YAML" : m.getProblem().trim();
                if (m.getContext() != null && m.getContextMark() != null) {
                    msg += " (" + m.getContext().trim() + " that starts at line " + (m.getContextMark().getLine() + 1)
                            + ", column " + (m.getContextMark().getColumn() + 1) + ")";
                }
                return new SyntaxError(new Pos(at.getLine() + 1, at.getColumn() + 1), msg);
            }
        }
        String msg = e.getOriginalMessage() == null ? "malformed YAML" : e.getOriginalMessage().lines().findFirst().orElse("");
        JsonLocation l = e.getLocation();
        return new SyntaxError(l == null ? new Pos(1, 1) : Pos.of(l), msg.trim());
    }
}
