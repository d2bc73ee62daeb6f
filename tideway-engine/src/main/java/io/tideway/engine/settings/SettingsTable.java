package io.tideway.engine.settings;

import io.tideway.core.settings.Scope;
import io.tideway.core.settings.Setting;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The settings tables of README.md, made from the declarations ({@link AllSettings}): one table
 * per scope and section, between the markers {@link #BEGIN} and {@link #END}.
 * {@code SettingsTableTest} fails when README.md differs and says how to rewrite it.
 */
public final class SettingsTable {
    public static final String BEGIN = "<!-- settings:begin -->";
    public static final String END = "<!-- settings:end -->";

    private SettingsTable() { }

    /** The block from {@link #BEGIN} to {@link #END}, both included. */
    public static String block(List<Setting<?>> settings) {
        StringBuilder sb = new StringBuilder(BEGIN).append('\n');
        sb.append("<!-- Made from the settings' declarations (ProjectSettings, ComponentSettings); do not edit by hand:"
                + " SettingsTableTest says how to rewrite it. -->\n");
        for (Scope scope : Scope.values()) {
            Map<String, List<Setting<?>>> sections = new LinkedHashMap<>();
            settings.stream().filter(s -> s.scope() == scope)
                    .forEach(s -> sections.computeIfAbsent(s.section(), k -> new java.util.ArrayList<>()).add(s));
            sections.forEach((section, list) -> {
                sb.append('\n').append(heading(scope, section)).append("\n\n");
                boolean components = scope == Scope.COMPONENT;
                sb.append("| key |").append(components ? " components |" : "").append(" type | default | unit | live | description |\n");
                sb.append("|---|").append(components ? "---|" : "").append("---|---|---|---|---|\n");
                for (Setting<?> s : list) {
                    sb.append("| `").append(s.key()).append("` |");
                    if (components) {
                        sb.append(' ').append(cell(String.join(", ", new TreeSet<>(s.components())))).append(" |");
                    }
                    sb.append(' ').append(cell(s.type().name())).append(" |")
                            .append(' ').append(cell(s.defaultText().isEmpty() ? "none" : s.defaultText())).append(" |")
                            .append(' ').append(cell(s.unit())).append(" |")
                            .append(' ').append(s.live() ? "yes" : "no").append(" |")
                            .append(' ').append(cell(s.description() + (s.secret() ? " Secret: masked wherever settings are"
                                    + " shown, never written back to a file." : ""))).append(" |\n");
                }
            });
        }
        return sb.append('\n').append(END).toString();
    }

    /** {@code readme} with its settings block replaced by {@code block}. */
    public static String replaceBlock(String readme, String block) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("README.md has no " + BEGIN + " ... " + END + " block");
        }
        return readme.substring(0, begin) + block + readme.substring(end + END.length());
    }

    /** The block {@code readme} holds now. */
    public static String currentBlock(String readme) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        return begin < 0 || end < begin ? "" : readme.substring(begin, end + END.length());
    }

    private static String heading(Scope scope, String section) {
        return switch (scope) {
            case PROJECT -> "#### Project file" + (section.isEmpty() ? ": top level" : ": `" + section + ":`");
            case COMPONENT -> "#### Components: section `" + section + "`";
            case SERVER -> "#### Server" + (section.isEmpty() ? "" : ": `" + section + "`");
        };
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** Lists every declared setting without a description, for the test that forbids them. */
    public static List<String> undescribed(List<Setting<?>> settings) {
        return settings.stream().filter(s -> s.description().isBlank()).map(Setting::key).collect(Collectors.toList());
    }
}
