package io.tideway.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noFields;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.tideway.core.model.DataSourceType;
import io.tideway.core.spi.Catalog;
import io.tideway.core.spi.CorrectionScripts;
import io.tideway.core.spi.Dialect;
import io.tideway.core.spi.ErrorClassifier;
import io.tideway.core.spi.PrecheckItems;
import io.tideway.core.spi.RowReader;
import io.tideway.core.spi.RowWriter;
import io.tideway.core.spi.SchemaWriter;
import io.tideway.core.spi.VerifyHashing;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of DESIGN.md, kept by a test: dependencies go one way (cli -> engine -> metadb ->
 * core; dialects -> debezium -> core), and only a dialect talks to its database's driver. The shipped code
 * carries no test kit: the CLI compiles against neither the demo nor the test support (the demo
 * is found through {@link io.tideway.engine.CommandExtension}), no test library is used outside
 * the test support, and no web framework below the server module.
 */
class LayeringTest {
    static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.tideway");
    }

    @Test
    void coreDependsOnNothingOfTideway() {
        noClasses().that().resideInAPackage("io.tideway.core..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.engine..", "io.tideway.metadb..", "io.tideway.cli..",
                        "io.tideway.mysql..", "io.tideway.postgresql..", "io.tideway.test..", "io.tideway.demo..",
                        "io.tideway.debezium..")
                .check(classes);
    }

    @Test
    void theEngineKnowsNoDialectAndNoDriver() {
        noClasses().that().resideInAPackage("io.tideway.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.mysql..", "io.tideway.postgresql..",
                        "org.mariadb..", "org.postgresql..", "io.tideway.cli..", "io.tideway.demo..", "io.tideway.test..",
                        "io.tideway.debezium..")
                .check(classes);
    }

    @Test
    void dialectsDoNotKnowEachOtherOrTheEngine() {
        noClasses().that().resideInAPackage("io.tideway.mysql..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.postgresql..", "org.postgresql..", "io.tideway.engine..",
                        "io.tideway.metadb..")
                .check(classes);
        noClasses().that().resideInAPackage("io.tideway.postgresql..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.mysql..", "org.mariadb..", "io.tideway.engine..",
                        "io.tideway.metadb..")
                .check(classes);
    }

    /**
     * The capture plumbing the plugins share knows no database: no plugin, no driver, no connector of
     * one database, and it runs no SQL (what a plugin asks its server stays in the plugin).
     */
    @Test
    void theSharedCapturePlumbingHoldsNoDatabase() {
        noClasses().that().resideInAPackage("io.tideway.debezium..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.mysql..", "io.tideway.postgresql..",
                        "io.tideway.engine..", "io.tideway.metadb..", "io.tideway.cli..", "org.mariadb..", "org.postgresql..",
                        "io.debezium.connector..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.sql.Connection")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.sql.Statement")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.sql.PreparedStatement")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("java.sql.ResultSet")
                .check(classes);
    }

    /**
     * The database types are the plugins' own: no constant of a type or a family outside the plugin
     * modules, so that adding a database touches no other module.
     */
    @Test
    void onlyThePluginsNameDatabaseTypes() {
        noFields().that().areStatic().and().areDeclaredInClassesThat().resideOutsideOfPackages("io.tideway.mysql..",
                        "io.tideway.postgresql..")
                .should().haveRawType(DataSourceType.class).orShould().haveRawType(DataSourceType.Family.class)
                .check(classes);
    }

    @Test
    void theMetaDbKnowsNoEngine() {
        noClasses().that().resideInAPackage("io.tideway.metadb..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.engine..", "io.tideway.cli..", "io.tideway.demo..",
                        "io.tideway.test..")
                .check(classes);
    }

    @Test
    void theCliCompilesAgainstNeitherTheDemoNorTheTestKit() {
        noClasses().that().resideInAPackage("io.tideway.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tideway.demo..", "io.tideway.test..",
                        "ch.vorburger..", "io.zonky..")
                .check(classes);
    }

    @Test
    void noTestLibraryOutsideTheTestSupport() {
        noClasses().that().resideInAPackage("io.tideway..").and().resideOutsideOfPackage("io.tideway.test..")
                .should().dependOnClassesThat().resideInAnyPackage("org.junit..", "org.assertj..", "org.awaitility..",
                        "com.tngtech.archunit..", "org.opentest4j..", "org.hamcrest..")
                .check(classes);
    }

    @Test
    void noSpringBelowTheServer() {
        noClasses().that().resideInAPackage("io.tideway..").and().resideOutsideOfPackage("io.tideway.server..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.servlet..")
                .check(classes);
    }

    /**
     * A database provides the parts of its dialect (catalog, schema writer, row reader, row writer,
     * verification hashing, correction scripts, error classifier, precheck items) each in a class of
     * its own; the dialect itself is only the database (connections, quoting) and returns them.
     */
    @Test
    void aDialectReturnsItsPartsEachInAClassOfItsOwn() {
        noClasses().that().implement(Dialect.class)
                .should().implement(Catalog.class).orShould().implement(SchemaWriter.class)
                .orShould().implement(RowReader.class).orShould().implement(RowWriter.class)
                .orShould().implement(VerifyHashing.class).orShould().implement(CorrectionScripts.class)
                .orShould().implement(ErrorClassifier.class).orShould().implement(PrecheckItems.class)
                .check(classes);
        List<Dialect> dialects = io.tideway.core.spi.DatabasePlugins.installed().stream()
                .map(io.tideway.core.spi.DatabasePlugin::dialect).toList();
        assertThat(dialects).hasSizeGreaterThanOrEqualTo(2);
        for (Dialect d : dialects) {
            List<Object> parts = List.of(d.catalog(), d.schema(), d.rows(), d.writer(), d.verify(), d.scripts(), d.errors(),
                    d.prechecks());
            assertThat(parts.stream().map(Object::getClass).distinct()).as(d.getClass().getSimpleName() + "'s parts")
                    .hasSize(parts.size());
            assertThat(parts.stream().map(p -> p.getClass().getPackageName()))
                    .containsOnly(d.getClass().getPackageName());
        }
    }
}
