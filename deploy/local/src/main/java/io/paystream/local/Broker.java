package io.paystream.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Starts the stack's KRaft broker in its own JVM: writes its properties, formats its storage once, runs it. */
final class Broker {
    private Broker() {
    }

    /**
     * @param classpath the broker's classpath (the launcher's runtime classpath: the broker and slf4j-simple)
     * @param telemetryArgs the OpenTelemetry agent's JVM arguments, or none
     */
    static ChildProcess start(StackLayout layout, String classpath, List<String> telemetryArgs)
            throws IOException, InterruptedException {
        Path dir = layout.kafkaDir();
        Files.createDirectories(dir);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, BrokerProperties.render(layout, dir.resolve("data")));
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            Path clusterIdFile = dir.resolve("cluster.id");
            if (!Files.exists(clusterIdFile)) {
                Files.writeString(clusterIdFile, BrokerProperties.newClusterId(UUID.randomUUID()));
            }
            ChildProcess.runToCompletion("kafka storage format", layout.root(), layout.logs().resolve("kafka.log"),
                    classpath, "kafka.tools.StorageTool", BrokerProperties.formatArguments(
                            Files.readString(clusterIdFile).trim(), properties),
                    Duration.ofSeconds(60));
        }
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC"));
        jvmArgs.addAll(telemetryArgs);
        return ChildProcess.start("kafka", layout.root(), layout.logs().resolve("kafka.log"), classpath, jvmArgs,
                "kafka.Kafka", List.of(properties.toString()), Map.of());
    }
}
