package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerPropertiesTest {
    @Test
    void formatsStorageWithAClusterIdThatStartsWithADash(@TempDir Path home) throws Exception {
        // Such an id once made `make run` fail: the storage tool read it as an unknown option.
        String clusterId = "-olW7-LPSS2aSdztcIqbyg";
        StackLayout layout = StackLayout.fromEnvironment(name -> switch (name) {
            case "PAYSTREAM_HOME" -> home.toString();
            default -> null;
        });
        Path properties = home.resolve("server.properties");
        Files.writeString(properties, BrokerProperties.render(layout, home.resolve("data")));

        ChildProcess.runToCompletion("kafka storage format", home, home.resolve("format.log"),
                System.getProperty("java.class.path"), "kafka.tools.StorageTool",
                BrokerProperties.formatArguments(clusterId, properties), Duration.ofSeconds(60));

        assertThat(Files.readString(home.resolve("data/meta.properties"))).contains("cluster.id=" + clusterId);
    }
}
