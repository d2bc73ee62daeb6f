package io.tideway.core.project;

import io.tideway.core.model.DataSourceConfig;
import java.util.List;
import java.util.Objects;

/**
 * A project as written in its YAML file, validated: what to move from where to where, and which
 * steps to run. Its keys are declared in the engine's ProjectSettings (README.md, "Settings").
 */
public record ProjectConfig(
        String name,
        DataSourceConfig source,
        DataSourceConfig destination,
        TableSelection tables,
        List<Step> steps,
        FullOptions full,
        List<String> precheckSkip,
        IncrementalOptions incremental,
        VerifyOptions verify) {

    public ProjectConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        tables = tables == null ? TableSelection.DEFAULT : tables;
        steps = List.copyOf(steps);
        full = full == null ? FullOptions.DEFAULT : full;
        precheckSkip = precheckSkip == null ? List.of() : List.copyOf(precheckSkip);
        incremental = incremental == null ? IncrementalOptions.DEFAULT : incremental;
        verify = verify == null ? VerifyOptions.DEFAULT : verify;
    }

    /** A project with the default options of the incremental and verify steps. */
    public ProjectConfig(String name, DataSourceConfig source, DataSourceConfig destination, TableSelection tables,
                         List<Step> steps, FullOptions full, List<String> precheckSkip) {
        this(name, source, destination, tables, steps, full, precheckSkip, IncrementalOptions.DEFAULT, VerifyOptions.DEFAULT);
    }

    /** A project with the verify step's default options. */
    public ProjectConfig(String name, DataSourceConfig source, DataSourceConfig destination, TableSelection tables,
                         List<Step> steps, FullOptions full, List<String> precheckSkip, IncrementalOptions incremental) {
        this(name, source, destination, tables, steps, full, precheckSkip, incremental, VerifyOptions.DEFAULT);
    }

    /** A project with the incremental step's default options. */
    public ProjectConfig(String name, DataSourceConfig source, DataSourceConfig destination, TableSelection tables,
                         List<Step> steps, FullOptions full, List<String> precheckSkip, VerifyOptions verify) {
        this(name, source, destination, tables, steps, full, precheckSkip, IncrementalOptions.DEFAULT, verify);
    }

    public ProjectConfig withVerify(VerifyOptions v) {
        return new ProjectConfig(name, source, destination, tables, steps, full, precheckSkip, incremental, v);
    }

    /**
     * What MySQL zero dates become in this project (forward): {@code full.zero-dates}, its default
     * resolved by whether both ends' dialects store zero dates.
     */
    public io.tideway.core.model.ZeroDates zeroDates() {
        return full.zeroDates().resolve(io.tideway.core.spi.Dialects.forType(source.type()).storesZeroDates()
                && io.tideway.core.spi.Dialects.forType(destination.type()).storesZeroDates());
    }

    public boolean has(Step s) {
        return steps.contains(s);
    }
}
