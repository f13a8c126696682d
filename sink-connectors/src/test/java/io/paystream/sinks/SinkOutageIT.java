package io.paystream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.sinks.metrics.SinkMetrics;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A PostgreSQL outage under a real Connect worker: records that arrive while the database is down are retried, and
 * once it is back every one of them is written, exactly once.
 */
class SinkOutageIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private EmbeddedPostgres postgres;
    private EmbeddedConnectCluster connect;

    @AfterEach
    void stop() throws Exception {
        if (connect != null) {
            connect.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static byte[] movement(long seq) {
        long amount = 10 * seq;
        return Topics.AUDIT.valueSerde().serializer().serialize("", AuditRecord.newBuilder()
                .setAuditId("out-" + seq).setKind(AuditKind.CREDIT).setAccountId("dana")
                .setPaymentId(String.format("00000000-0000-0000-0000-%012d", seq)).setAmount(amount)
                .setCurrency("USD").setBalanceAfter(5 * seq * (seq + 1)).setEntrySeq(seq)
                .setCreatedAtMs(1_000 * seq).build());
    }

    private void produce(long fromSeq, long toSeq) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long seq = fromSeq; seq <= toSeq; seq++) {
                producer.send(new ProducerRecord<>(Topics.AUDIT.name(), "dana".getBytes(StandardCharsets.UTF_8),
                        movement(seq))).get();
            }
        }
    }

    /** The sink's committed offset on the topic's only partition (the next record it will read), or 0. */
    private long committedOffset() {
        return connect.connectorOffsets("outage-sink").offsets().stream()
                .mapToLong(offset -> ((Number) offset.offset().get("kafka_offset")).longValue())
                .max().orElse(0);
    }

    private int rows(int port) {
        return Jdbi.create("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "")
                .withHandle(h -> h.createQuery("SELECT count(*) FROM ledger_entries").mapTo(Integer.class).one());
    }

    private static double retried() {
        return SinkMetrics.registry().get("paystream.sink.failures").tags("table", "ledger_entries", "kind", "retried")
                .counter().count();
    }

    @Test
    void anOutageLosesNothingOnceTheDatabaseIsBack() throws Exception {
        Path data = Files.createTempDirectory("sink-outage-pg");
        postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
        int port = postgres.getPort();
        Map<String, String> worker = new HashMap<>();
        worker.put("connector.client.config.override.policy", "Allowlist");
        worker.put("connector.client.config.override.allowlist", "isolation.level");
        connect = new EmbeddedConnectCluster.Builder().name("outage").numWorkers(1).workerProps(worker).build();
        connect.start();
        connect.kafka().createTopic(Topics.AUDIT.name(), 1);
        Map<String, String> config = SinkConnectorConfigs.ledger("jdbc:postgresql://localhost:" + port + "/postgres");
        config.put(SinkConfig.RETRIES_MAX, "200");
        config.put(SinkConfig.RETRY_BACKOFF_MS, "200");
        connect.configureConnector("outage-sink", config);
        connect.assertions().assertConnectorAndAtLeastNumTasksAreRunning("outage-sink", 1, "sink did not start");

        produce(1, 5);
        await().atMost(SETTLE).until(() -> rows(port) == 5);
        // The worker runs in this JVM, so its metrics registry is this one.
        double retriedBefore = retried();
        postgres.close();
        produce(6, 10);
        // While the database is down the task keeps retrying, and no offset may be committed past unwritten rows.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> committedOffset() <= 5);
        assertThat(retried()).as("retried writes counted during the outage").isGreaterThan(retriedBefore);
        postgres = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
                .start();

        await().atMost(SETTLE).until(() -> rows(port) == 10);
        int total = Jdbi.create("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "")
                .withHandle(h -> h.createQuery("SELECT sum(amount) FROM ledger_entries").mapTo(Integer.class).one());
        assertThat(total).isEqualTo(550);
        connect.assertions().assertConnectorAndAtLeastNumTasksAreRunning("outage-sink", 1, "the task failed");
    }
}
