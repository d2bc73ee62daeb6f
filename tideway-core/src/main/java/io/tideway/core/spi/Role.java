package io.tideway.core.spi;

/** Which end of a project a data source is. */
public enum Role {
    SOURCE, DESTINATION;

    public String id() {
        return name().toLowerCase();
    }
}
