package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;


import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the {@code make run} launcher itself, as a separate process on free ports with its own data directory: it
 * starts the broker, the processor and the ingress, answers health, refuses a second start and a taken port with a
 * clear message, and stops every process on SIGTERM.
 */
class LocalStackIT {
    /** Three JVMs start one after another on two cores; the processor also creates its topics. */
    private static final Duration START = Duration.ofSeconds(180);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private int health(String port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthcheck"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static boolean listening(String port) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(port))) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void startsTheWholeStackRefusesASecondStartAndStopsCleanly() throws Exception {
        Path home = Files.createTempDirectory("paystream-home");
        Map<String, String> environment = StackLauncher.environment(home);
        StackLauncher stack = new StackLauncher(environment);
        try {
            await().atMost(START).until(stack::readyOrExited);
            assertThat(stack.output()).as(stack.output()).contains("PayStream is running")
                    .contains("connect    sinks running").contains("postgres   ready on")
                    .contains("local-dev-key").contains("curl -X POST http://127.0.0.1:"
                            + environment.get("PAYSTREAM_INGRESS_PORT") + "/v1/payments");
            assertThat(health(environment.get("PAYSTREAM_PROCESSOR_ADMIN_PORT"))).isEqualTo(200);
            assertThat(health(environment.get("PAYSTREAM_INGRESS_ADMIN_PORT"))).isEqualTo(200);
            // The console, at the URL the banner prints, writes to this stack's ingress and may run the simulator.
            String console = "http://127.0.0.1:" + environment.get("PAYSTREAM_PROCESSOR_PORT") + "/console/";
            assertThat(stack.output()).contains("console       " + console);
            HttpResponse<String> config = http.send(HttpRequest.newBuilder(URI.create(console + "config.json"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(config.body()).contains("\"ingressUrl\":\"http://127.0.0.1:"
                    + environment.get("PAYSTREAM_INGRESS_PORT") + "\"").contains("\"simulator\":true");
            assertThat(home.resolve("logs/kafka.log")).exists();
            assertThat(home.resolve("logs/processor.log")).exists();

            StackLauncher second = new StackLauncher(environment);
            assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process().exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> second.output().contains("already running"));
        } finally {
            stack.stop();
        }
        assertThat(stack.process().waitFor(90, TimeUnit.SECONDS)).as("the launcher stops on SIGTERM").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> stack.output().contains("stopped"));
        assertThat(stack.output()).contains("stopping kafka").doesNotContain("exited with code");
        for (String port : List.of("PAYSTREAM_KAFKA_PORT", "PAYSTREAM_PROCESSOR_PORT", "PAYSTREAM_INGRESS_PORT",
                "PAYSTREAM_POSTGRES_PORT", "PAYSTREAM_CONNECT_PORT", "PAYSTREAM_SMTP_PORT",
                "PAYSTREAM_ACQUIRER_PORT")) {
            assertThat(listening(environment.get(port))).as("%s still listening", port).isFalse();
        }
    }

    @Test
    void refusesToStartWhenAPortIsTaken() throws Exception {
        Map<String, String> environment = StackLauncher.environment(Files.createTempDirectory("paystream-home"));
        int taken = Integer.parseInt(environment.get("PAYSTREAM_INGRESS_PORT"));
        try (ServerSocket squatter = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
            assertThat(squatter.isBound()).isTrue();
            StackLauncher stack = new StackLauncher(environment);
            assertThat(stack.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(stack.process().exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(stack.output())
                    .contains("already in use"));
            assertThat(stack.output()).contains("port " + taken).contains("PAYSTREAM_INGRESS_PORT")
                    .doesNotContain("Exception");
        }
    }

    /**
     * {@code make cluster}: the launcher with {@code PAYSTREAM_BROKERS=3} starts a three-node KRaft cluster and two
     * processors; every topic it made (PayStream's, the changelogs, the transaction log) has three replicas and needs
     * two in sync; a payment posted to the ingress completes and either processor answers for it; and a stack of
     * another size refuses the same data directory.
     */
    @Test
    void aClusterRunsThreeBrokersWithThreeReplicasOfEveryTopicAndTwoProcessors() throws Exception {
        Path home = Files.createTempDirectory("paystream-cluster-home");
        Map<String, String> environment = StackLauncher.environment(home);
        environment.put("PAYSTREAM_BROKERS", "3");
        // As by default: the second processor's ports are two above the first's, so the four must not overlap.
        environment.put("PAYSTREAM_PROCESSOR_ADMIN_PORT",
                String.valueOf(Integer.parseInt(environment.get("PAYSTREAM_PROCESSOR_PORT")) + 1));
        int kafkaPort = Integer.parseInt(environment.get("PAYSTREAM_KAFKA_PORT"));
        int queryPort = Integer.parseInt(environment.get("PAYSTREAM_PROCESSOR_PORT"));
        StackLauncher stack = new StackLauncher(environment);
        try {
            await().atMost(START.multipliedBy(2)).until(stack::readyOrExited);
            assertThat(stack.output()).as(stack.output()).contains("PayStream is running")
                    .contains("3 KRaft nodes, replication 3, min.insync.replicas 2")
                    .contains("processor-1 healthy").contains("processor-2 healthy");
            assertThat(health(environment.get("PAYSTREAM_PROCESSOR_ADMIN_PORT"))).isEqualTo(200);
            assertThat(health(String.valueOf(Integer.parseInt(environment.get("PAYSTREAM_PROCESSOR_ADMIN_PORT"))
                    + 2))).isEqualTo(200);
            for (int node = 1; node <= 3; node++) {
                assertThat(home.resolve("logs/kafka-" + node + ".log")).exists();
            }

            java.util.Properties properties = new java.util.Properties();
            properties.put("bootstrap.servers", "127.0.0.1:" + kafkaPort + ",127.0.0.1:" + (kafkaPort + 100));
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    properties)) {
                assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(3);
                java.util.Set<String> topics = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions()
                        .listInternal(true)).names().get(30, TimeUnit.SECONDS);
                assertThat(topics).contains("payments.ledger.v1", "paystream-processor-accounts-changelog",
                        "__consumer_offsets");
                for (var topic : admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                    assertThat(topic.partitions()).as("replicas of %s", topic.name())
                            .allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));
                }
                var configs = admin.describeConfigs(java.util.List.of(
                        new org.apache.kafka.common.config.ConfigResource(
                                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "payments.ledger.v1"),
                        new org.apache.kafka.common.config.ConfigResource(
                                org.apache.kafka.common.config.ConfigResource.Type.TOPIC,
                                "paystream-processor-accounts-changelog"))).all().get(30, TimeUnit.SECONDS);
                configs.forEach((resource, config) -> assertThat(config.get("min.insync.replicas").value())
                        .as("min.insync.replicas of %s", resource.name()).isEqualTo("2"));
            }

            String account = "{\"accountId\":\"carla\",\"currency\":\"USD\",\"type\":\"CUSTOMER\"}";
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String ingress = "http://127.0.0.1:" + environment.get("PAYSTREAM_INGRESS_PORT");
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ingress + "/v1/accounts"))
                    .header("Authorization", "Bearer local-dev-key").header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(account)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(202);
            for (int port : new int[] {queryPort, queryPort + 2}) {
                await().atMost(Duration.ofSeconds(60)).until(() -> http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v1/accounts/carla"))
                        .header("Authorization", "Bearer local-dev-key").GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            }
        } finally {
            stack.stop();
        }
        assertThat(stack.process().waitFor(120, TimeUnit.SECONDS)).as("the launcher stops on SIGTERM").isTrue();
        assertThat(stack.output()).contains("stopping kafka-1").doesNotContain("exited with code");

        environment.put("PAYSTREAM_BROKERS", "1");
        StackLauncher single = new StackLauncher(environment);
        assertThat(single.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(single.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> single.output().contains("holds a stack of 3 broker(s)"));
    }
}
