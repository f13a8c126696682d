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
     * {@code make cluster} keeps its data apart: a data directory that holds a stack of another size is refused with
     * a clear message before anything starts. (The cluster itself, three brokers with three replicas of every topic
     * and two processors, is started and checked by ClusterChaosIT, which runs the same LocalCluster.)
     */
    @Test
    void aDataDirectoryOfAnotherStackSizeIsRefused() throws Exception {
        Path home = Files.createTempDirectory("paystream-cluster-home");
        Files.writeString(home.resolve("brokers"), "3\n");
        Map<String, String> environment = StackLauncher.environment(home);
        environment.put("PAYSTREAM_BROKERS", "1");
        StackLauncher single = new StackLauncher(environment);
        assertThat(single.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(single.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> single.output().contains("holds a stack of 3 broker(s)"));
        assertThat(home.resolve("kafka")).doesNotExist();
    }
}
