package io.tideway.metadb;

import java.nio.file.Path;

/** Run in a child JVM by MetaDbTest: opens the embedded MetaDB another process holds open. */
public final class SecondProcess {
    private SecondProcess() { }

    public static void main(String[] args) {
        try (MetaDb db = MetaDb.openEmbedded(Path.of(args[0]), "second-process")) {
            ProjectRecord p = db.projects().find(args[1]).orElseThrow();
            db.events().add(p.id(), "INFO", null, "hello from the second process");
            System.out.println("FOUND " + p.id() + " " + p.source().password() + " " + p.source().host());
        }
    }
}
