package io.paystream.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Starts one of the stack's KRaft brokers in its own JVM: writes its properties, formats its storage once (every node
 * of a cluster with the same cluster id, kept in the home directory), runs it.
 */
final class Broker {
    private Broker() {
    }

    /** The name of broker {@code node}'s process and log: {@code kafka} alone, {@code kafka-N} in a cluster. */
    static String name(StackLayout layout, int node) {
        return layout.brokers().size() == 1 ? "kafka" : "kafka-" + (node + 1);
    }

    /**
     * @param node which broker (0-based)
     * @param classpath the broker's classpath (the launcher's runtime classpath: the broker and slf4j-simple)
     * @param telemetryArgs the OpenTelemetry agent's JVM arguments, or none
     */
    static ChildProcess start(StackLayout layout, int node, String classpath, List<String> telemetryArgs)
            throws IOException, InterruptedException {
        Path dir = layout.kafkaDir(node);
        Files.createDirectories(dir);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, BrokerProperties.render(layout, node, dir.resolve("data")));
        String name = name(layout, node);
        if (!Files.exists(dir.resolve("data").resolve("meta.properties"))) {
            ChildProcess.runToCompletion(name + " storage format", layout.root(),
                    layout.logs().resolve(name + ".log"), classpath, "kafka.tools.StorageTool",
                    BrokerProperties.formatArguments(clusterId(layout), properties), Duration.ofSeconds(60));
        }
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx512m", "-XX:+UseSerialGC"));
        jvmArgs.addAll(telemetryArgs);
        return ChildProcess.start(name, layout.root(), layout.logs().resolve(name + ".log"), classpath, jvmArgs,
                "kafka.Kafka", List.of(properties.toString()), Map.of());
    }

    /** The cluster's id, made once and kept beside the brokers' data, so that every node formats with the same. */
    private static String clusterId(StackLayout layout) throws IOException {
        Path file = layout.home().resolve("kafka").resolve("cluster.id");
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.writeString(file, BrokerProperties.newClusterId(UUID.randomUUID()));
        }
        return Files.readString(file).trim();
    }
}
