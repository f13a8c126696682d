package io.paystream.sinks.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Kafka Connect worker (ConnectStandalone) in its own JVM, running one connector, with its offsets in a
 * directory that survives it: {@code kill -9} it with {@link Process#destroyForcibly()}, start it again, and it
 * resumes from the offsets it flushed (every second).
 */
public final class StandaloneWorker {
    private StandaloneWorker() {
    }

    /** Starts the worker with {@code connector} (which must have a {@code name}); its log is {@code dir/connect.log}. */
    public static Process start(Path dir, String bootstrapServers, Map<String, String> connector) throws IOException {
        Files.createDirectories(dir);
        Path worker = dir.resolve("worker.properties");
        Files.writeString(worker, String.join("\n",
                "bootstrap.servers=" + bootstrapServers,
                "listeners=http://127.0.0.1:0",
                // As the deployments' workers: plugins from their manifests, no reflective scan.
                "plugin.discovery=service_load",
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename=" + dir.resolve("offsets"),
                "offset.flush.interval.ms=1000",
                // A killed worker's consumer leaves its partitions after 6 s, not the default 45 s, so the restart
                // resumes at once.
                "consumer.session.timeout.ms=6000",
                "consumer.heartbeat.interval.ms=1000",
                "connector.client.config.override.policy=Allowlist",
                "connector.client.config.override.allowlist=isolation.level", ""));
        Path connectorFile = dir.resolve("connector.properties");
        Files.writeString(connectorFile, new LinkedHashMap<>(connector).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n")) + "\n");
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.connect.cli.ConnectStandalone",
                worker.toString(), connectorFile.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("connect.log").toFile())).start();
    }
}
