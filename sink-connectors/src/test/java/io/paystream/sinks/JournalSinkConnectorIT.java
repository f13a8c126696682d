package io.paystream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.sinks.metrics.ConnectMetricsBridge;
import io.paystream.sinks.metrics.MetricsRestExtension;
import io.paystream.testing.PrometheusText;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journal sink in a real Connect worker (Connect's EmbeddedConnectCluster, with its own broker) writing to a real
 * PostgreSQL: rows match the topic exactly, an undecodable record and a record the table refuses (a constraint
 * violation, or a value too long for its column) go to Connect's dead-letter topic while the rest proceed, and a
 * restarted task that replays its records leaves no duplicates.
 */
class JournalSinkConnectorIT {
    private static final String CONNECTOR = "paystream-ledger-sink";
    private static final String DLQ = "paystream-ledger-sink-dlq";
    private static final Duration SETTLE = Duration.ofSeconds(60);

    private static EmbeddedPostgres postgres;
    private static EmbeddedConnectCluster connect;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        // Connect's test harness requires a mutable map here.
        Map<String, String> worker = new HashMap<>();
        worker.put("connector.client.config.override.policy", "Allowlist");
        worker.put("connector.client.config.override.allowlist", "isolation.level");
        worker.put("offset.flush.interval.ms", "500");
        worker.put("plugin.discovery", "service_load");
        worker.put("rest.extension.classes", MetricsRestExtension.class.getName());
        worker.put("metric.reporters", ConnectMetricsBridge.class.getName());
        connect = new EmbeddedConnectCluster.Builder().name("paystream-connect").numWorkers(1)
                .workerProps(worker).build();
        connect.start();
        connect.kafka().createTopic(Topics.AUDIT.name(), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (connect != null) {
            connect.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Map<String, String> connectorConfig() {
        Map<String, String> config = SinkConnectorConfigs.ledger(
                "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", DLQ);
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        return config;
    }

    private static AuditRecord movement(String account, long seq, long amount, long balanceAfter) {
        return AuditRecord.newBuilder().setAuditId(account + "-p" + seq + ":CREDIT").setKind(AuditKind.CREDIT)
                .setAccountId(account).setPaymentId(String.format("00000000-0000-0000-0000-%012d", seq))
                .setAmount(amount).setCurrency("USD").setBalanceAfter(balanceAfter).setEntrySeq(seq)
                .setCreatedAtMs(1_000 * seq).build();
    }

    private static void produce(List<byte[]> values, String key) throws Exception {
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (byte[] value : values) {
                producer.send(new ProducerRecord<>(Topics.AUDIT.name(), key.getBytes(StandardCharsets.UTF_8), value))
                        .get();
            }
        }
    }

    private static List<String> rows() {
        return Jdbi.create(postgres.getPostgresDatabase()).withHandle(h -> h.createQuery(
                "SELECT account_id || ':' || entry_seq || ':' || amount || ':' || balance_after FROM ledger_entries "
                        + "ORDER BY account_id, entry_seq").mapTo(String.class).list());
    }

    private static PrometheusText scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(connect.endpointForResource("metrics"))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        return PrometheusText.parse(response.body());
    }

    @Test
    void copiesTheJournalExactlyDeadLettersPoisonAndReplaysWithoutDuplicates() throws Exception {
        byte[] first = Topics.AUDIT.valueSerde().serializer().serialize("", movement("alice", 1, 500, 500));
        byte[] second = Topics.AUDIT.valueSerde().serializer().serialize("", movement("alice", 2, 250, 750));
        // Decodable, but refused by the table: entry sequences start at 1.
        byte[] refused = Topics.AUDIT.valueSerde().serializer().serialize("", movement("alice", 0, 1, 1));
        // Decodable, but too long for its column (SQLSTATE 22001): a data error, which no retry can fix.
        byte[] tooLong = Topics.AUDIT.valueSerde().serializer().serialize("", AuditRecord.newBuilder(
                movement("alice", 9, 1, 1)).setPaymentId("p".repeat(37)).build());
        produce(List.of(first, "not avro".getBytes(StandardCharsets.UTF_8), refused, tooLong, second), "alice");
        PrometheusText before = scrape();
        connect.configureConnector(CONNECTOR, connectorConfig());
        connect.assertions().assertConnectorAndAtLeastNumTasksAreRunning(CONNECTOR, 1, "the sink did not start");

        await().atMost(SETTLE).until(() -> rows().size() == 2);
        assertThat(rows()).containsExactly("alice:1:500:500", "alice:2:250:750");
        assertThat(connect.kafka().consume(3, SETTLE.toMillis(), DLQ).count()).isEqualTo(3);

        // The worker's /metrics: the sink's own counters, and Connect's task metrics copied next to them.
        Map<String, String> ledger = Map.of("table", "ledger_entries");
        await().atMost(SETTLE).untilAsserted(() -> {
            PrometheusText after = scrape();
            assertThat(after.sum("paystream_sink_rows_written_total", ledger)
                    - before.sum("paystream_sink_rows_written_total", ledger)).isEqualTo(2.0);
            assertThat(after.sum("paystream_sink_failures_total", Map.of("table", "ledger_entries", "kind", "refused"))
                    - before.sum("paystream_sink_failures_total", Map.of("table", "ledger_entries", "kind",
                            "refused"))).isEqualTo(2.0);
            assertThat(after.sum("kafka_connect_sink_task_metrics_sink_record_read_total",
                    Map.of("connector", CONNECTOR))).isEqualTo(5.0);
            assertThat(after.sum("kafka_connect_task_error_metrics_deadletterqueue_produce_requests",
                    Map.of("connector", CONNECTOR))).isEqualTo(3.0);
            assertThat(after.names()).contains("jvm_memory_used_bytes", "paystream_sink_batch_duration_seconds_bucket");
        });

        // A restarted task that reads everything again, as after a crash before its offsets were committed.
        connect.stopConnector(CONNECTOR);
        connect.resetConnectorOffsets(CONNECTOR);
        connect.resumeConnector(CONNECTOR);
        produce(List.of(first, second, Topics.AUDIT.valueSerde().serializer().serialize("",
                movement("alice", 3, 50, 800))), "alice");
        await().atMost(SETTLE).until(() -> rows().size() == 3);
        assertThat(rows()).containsExactly("alice:1:500:500", "alice:2:250:750", "alice:3:50:800");
    }
}
