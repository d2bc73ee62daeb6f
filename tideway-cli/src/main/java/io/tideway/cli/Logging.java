package io.tideway.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sends the log to DATA_DIR/logs/tideway.log; the terminal gets only the CLI's own lines.
 * Configured in code rather than from XML: parsing a logback XML file slows every start, which a
 * short command (status, a small migration) notices (docs/BENCHMARKS.md).
 */
final class Logging {
    static final String PATTERN =
            "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %X{project} %X{step} %X{table} %logger{30} - %msg%n";
    /** Chatty libraries: only their warnings go into Tideway's log. */
    private static final String[] QUIET = {"ch.vorburger", "io.zonky", "org.flywaydb", "com.zaxxer", "io.debezium",
            "org.apache.kafka"};

    private Logging() { }

    static void configure(Path dataDir) {
        Path logDir = dataDir.resolve("logs").toAbsolutePath();
        System.setProperty("tideway.logDir", logDir.toString());
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        try {
            ctx.reset();
            PatternLayoutEncoder encoder = new PatternLayoutEncoder();
            encoder.setContext(ctx);
            encoder.setPattern(PATTERN);
            encoder.start();
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setContext(ctx);
            file.setName("FILE");
            file.setFile(logDir.resolve("tideway.log").toString());
            file.setEncoder(encoder);
            file.start();
            for (String name : QUIET) {
                ctx.getLogger(name).setLevel(Level.WARN);
            }
            ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
            root.setLevel(Level.INFO);
            root.addAppender(file);
        } catch (RuntimeException e) {
            System.err.println("tideway: could not set up logging: " + e);
        }
    }
}
