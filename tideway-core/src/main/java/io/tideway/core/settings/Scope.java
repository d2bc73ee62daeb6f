package io.tideway.core.settings;

/** Where a setting is set and read. */
public enum Scope {
    /** In a project file (and its command-line overrides); read by the project's steps. */
    PROJECT,
    /** In a component's configuration (section source, sink or coordinator), changed one component at a time or in batch. */
    COMPONENT,
    /** In the server's System Parameters, for every project of the node. */
    SERVER
}
