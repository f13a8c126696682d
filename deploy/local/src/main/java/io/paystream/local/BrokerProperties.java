package io.paystream.local;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;

/** The broker's {@code server.properties}: one combined broker and controller on loopback, set up for one node. */
public final class BrokerProperties {
    private BrokerProperties() {
    }

    public static String render(StackLayout layout, Path dataDir) {
        return String.join("\n",
                "# Written by the local stack at every start; edit StackLayout's variables instead.",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + layout.controllerPort(),
                "listeners=PLAINTEXT://127.0.0.1:" + layout.kafkaPort() + ",CONTROLLER://127.0.0.1:"
                        + layout.controllerPort(),
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + layout.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir,
                // One node: internal topics can only have one replica.
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // Nobody else will join the group; do not wait 3 s for them.
                "group.initial.rebalance.delay.ms=0",
                // The processor creates its topics with the right partition count; a typo must not create another.
                "auto.create.topics.enable=false",
                "");
    }

    /** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding, as {@code kafka-storage random-uuid}. */
    public static String newClusterId(UUID uuid) {
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    /**
     * The storage tool's arguments to format a broker's log directories. The id goes as one {@code --cluster-id=}
     * argument: a generated id starts with '-' one time in 32, and would then read as an option.
     */
    public static java.util.List<String> formatArguments(String clusterId, java.nio.file.Path properties) {
        return java.util.List.of("format", "--cluster-id=" + clusterId, "-c", properties.toString());
    }
}
