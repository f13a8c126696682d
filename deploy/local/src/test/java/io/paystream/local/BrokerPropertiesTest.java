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

    @Test
    void aClusterNodeKnowsEveryVoterAndAsksForThreeReplicasAndTwoInSync(@TempDir Path home) {
        StackLayout layout = StackLayout.fromEnvironment(name -> switch (name) {
            case "PAYSTREAM_HOME" -> home.toString();
            case "PAYSTREAM_BROKERS" -> "3";
            default -> null;
        });

        String second = BrokerProperties.render(layout, 1, home.resolve("data"));

        assertThat(second).contains("node.id=2\n")
                .contains("controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9193,3@127.0.0.1:9293\n")
                .contains("listeners=PLAINTEXT://127.0.0.1:9192,CONTROLLER://127.0.0.1:9193\n")
                .contains("advertised.listeners=PLAINTEXT://127.0.0.1:9192\n")
                .contains("offsets.topic.replication.factor=3\n").contains("transaction.state.log.min.isr=2\n")
                .contains("default.replication.factor=3\n").contains("min.insync.replicas=2\n")
                .contains("unclean.leader.election.enable=false\n").contains("broker.session.timeout.ms=3000\n")
                // On a cluster, a dead processor's open transaction is aborted within a second of its timeout, not ten.
                .contains("transaction.abort.timed.out.transaction.cleanup.interval.ms=1000\n");
        // One node keeps Kafka's 10 s: aborting within a second of a restart, on stale metadata, leaves hanging
        // transactions behind (BrokerProperties.abortTimedOutTransactions).
        assertThat(BrokerProperties.render(StackLayout.fromEnvironment(name -> null), home.resolve("data")))
                .contains("controller.quorum.voters=1@127.0.0.1:9093\n").contains("min.insync.replicas=1\n")
                .doesNotContain("transaction.abort.timed.out.transaction.cleanup.interval.ms=");
    }
}
