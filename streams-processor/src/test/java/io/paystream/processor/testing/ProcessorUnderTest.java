package io.paystream.processor.testing;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import io.paystream.processor.ProcessorApplication;
import io.paystream.processor.ProcessorConfiguration;
import io.paystream.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The real processor application for integration tests, from {@code processor-it.yml}: on the given broker, with a
 * fresh state dir, and with its query port fixed in advance, because it advertises that port to other instances.
 */
public final class ProcessorUnderTest {
    private ProcessorUnderTest() {
    }

    /** A processor on {@code bootstrapServers}; {@code overrides} add to or replace the defaults. Not started. */
    public static DropwizardTestSupport<ProcessorConfiguration> on(String bootstrapServers,
            ConfigOverride... overrides) {
        return on(bootstrapServers, ProcessorApplication.class, overrides);
    }

    /** The same, running {@code application}: a subclass that a test needs to observe (its process exit, say). */
    public static DropwizardTestSupport<ProcessorConfiguration> on(String bootstrapServers,
            Class<? extends ProcessorApplication> application, ConfigOverride... overrides) {
        int queryPort = FreePorts.next();
        List<ConfigOverride> all = new ArrayList<>(List.of(
                ConfigOverride.config("kafka.bootstrap\\.servers", bootstrapServers),
                ConfigOverride.config("server.applicationConnectors[0].port", String.valueOf(queryPort)),
                ConfigOverride.config("streams.applicationServer", "127.0.0.1:" + queryPort),
                ConfigOverride.config("streams.stateDir", tempDir())));
        all.addAll(Arrays.asList(overrides));
        return new DropwizardTestSupport<>(application,
                ResourceHelpers.resourceFilePath("processor-it.yml"), all.toArray(ConfigOverride[]::new));
    }

    private static String tempDir() {
        try {
            return Files.createTempDirectory("processor-it").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
