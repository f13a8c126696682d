package io.paystream.local;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A broker's {@code server.properties}: combined broker and controller nodes on loopback. One node, or a KRaft
 * quorum of every node (three by default for a cluster), where each topic has three replicas and a write needs two.
 */
public final class BrokerProperties {
    private BrokerProperties() {
    }

    /** The properties of the only broker of a one-node layout. */
    public static String render(StackLayout layout, Path dataDir) {
        return render(layout, 0, dataDir);
    }

    /** The properties of broker {@code node} (0-based; its {@code node.id} is {@code node + 1}). */
    public static String render(StackLayout layout, int node, Path dataDir) {
        StackLayout.BrokerPorts ports = layout.brokers().get(node);
        String voters = IntStream.range(0, layout.brokers().size())
                .mapToObj(i -> (i + 1) + "@127.0.0.1:" + layout.brokers().get(i).controllerPort())
                .collect(Collectors.joining(","));
        int replicas = layout.replicationFactor();
        // Three replicas: a write needs two, so one broker down keeps writing and loses nothing. One: one.
        int minInSync = replicas >= 3 ? 2 : 1;
        return String.join("\n",
                "# Written by the local stack at every start; edit StackLayout's variables instead.",
                "process.roles=broker,controller",
                "node.id=" + (node + 1),
                "controller.quorum.voters=" + voters,
                "listeners=PLAINTEXT://127.0.0.1:" + ports.kafkaPort() + ",CONTROLLER://127.0.0.1:"
                        + ports.controllerPort(),
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports.kafkaPort(),
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir,
                // Internal topics: as many replicas as PayStream's own, as many in sync to write.
                "offsets.topic.replication.factor=" + replicas,
                "transaction.state.log.replication.factor=" + replicas,
                "transaction.state.log.min.isr=" + minInSync,
                "share.coordinator.state.topic.replication.factor=" + replicas,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                "default.replication.factor=" + replicas,
                "min.insync.replicas=" + minInSync,
                // A replica that was out of sync never becomes leader: that would drop acknowledged writes.
                "unclean.leader.election.enable=false",
                // The controller fences a broker that missed its heartbeats for 3 s (9 s by default), and with it
                // moves its leaderships and takes it out of every ISR: within the ingress's 5 s produce timeout, so a
                // client sees a slower answer, not a 503, when one broker of a cluster dies. On one node it also lets
                // a restarted broker register again sooner.
                "broker.heartbeat.interval.ms=500",
                "broker.session.timeout.ms=3000",
                abortTimedOutTransactions(layout.brokers().size()),
                // Nobody else will join the group; do not wait 3 s for them.
                "group.initial.rebalance.delay.ms=0",
                // The processor creates its topics with the right partition count; a typo must not create another.
                "auto.create.topics.enable=false",
                "");
    }

    /**
     * How often the transaction coordinator aborts timed-out transactions. On a cluster, every second: a transaction
     * left open by a killed processor is aborted within a second of its timeout (5 s, set by the processor), not up to
     * 10 s later, and until then it holds back every read_committed reader of the partitions it wrote. On one node,
     * Kafka's default (10 s): a node restarted after kill -9 first acts on its own stale metadata, in which it still
     * leads every partition, until its controller fences its old registration (3 s later). A coordinator that aborts
     * a timed-out transaction in that window sends its markers, loses the partitions' leader when the fence comes, and
     * drops the markers as if the partitions had been deleted: the transaction then hangs for ever on those partitions,
     * and every read_committed reader of them, a restoring store included, waits behind it (docs/chaos.md). On a
     * cluster, a restarted node learns of its fence from the other controllers before it acts.
     */
    static String abortTimedOutTransactions(int nodes) {
        return nodes > 1 ? "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000"
                : "# One node: timed-out transactions are aborted on Kafka's default schedule, every 10 s.";
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
