package io.tideway.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.InputStream;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Sends the log to DATA_DIR/logs/tideway.log; the terminal gets only the CLI's own lines. */
final class Logging {
    private Logging() { }

    static void configure(Path dataDir) {
        System.setProperty("tideway.logDir", dataDir.resolve("logs").toAbsolutePath().toString());
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        try (InputStream in = Logging.class.getResourceAsStream("/tideway-logback.xml")) {
            ctx.reset();
            JoranConfigurator jc = new JoranConfigurator();
            jc.setContext(ctx);
            jc.doConfigure(in);
        } catch (Exception e) {
            System.err.println("tideway: could not set up logging: " + e);
        }
    }
}
