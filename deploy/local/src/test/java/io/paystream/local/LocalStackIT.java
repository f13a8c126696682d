package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.paystream.testing.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Map<String, String> environment(Path home) {
        Map<String, String> environment = new HashMap<>();
        environment.put("PAYSTREAM_ROOT", ROOT.toString());
        environment.put("PAYSTREAM_HOME", home.toString());
        for (String port : List.of("PAYSTREAM_KAFKA_PORT", "PAYSTREAM_KAFKA_CONTROLLER_PORT",
                "PAYSTREAM_PROCESSOR_PORT", "PAYSTREAM_PROCESSOR_ADMIN_PORT", "PAYSTREAM_INGRESS_PORT",
                "PAYSTREAM_INGRESS_ADMIN_PORT", "PAYSTREAM_POSTGRES_PORT", "PAYSTREAM_CONNECT_PORT")) {
            environment.put(port, String.valueOf(FreePorts.next()));
        }
        return environment;
    }

    /** The launcher as `make run` starts it, with its output collected line by line. */
    private static final class Launcher {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Launcher(Map<String, String> environment) throws IOException {
            Path target = Path.of("target").toAbsolutePath();
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx128m", "-cp",
                    target.resolve("local-stack-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*",
                    "io.paystream.local.LocalStack").directory(ROOT.toFile()).redirectErrorStream(true);
            builder.environment().putAll(environment);
            process = builder.start();
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    in.lines().forEach(lines::add);
                } catch (IOException e) {
                    lines.add("<output closed: " + e + ">");
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String output() {
            return String.join("\n", lines);
        }
    }

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
        Map<String, String> environment = environment(home);
        Launcher stack = new Launcher(environment);
        try {
            // The banner's last line names the payments query; wait for all of it.
            await().atMost(START).until(() -> stack.output().contains("/v1/payments/<paymentId>")
                    || !stack.process.isAlive());
            assertThat(stack.output()).as(stack.output()).contains("PayStream is running")
                    .contains("connect    sinks running").contains("postgres   ready on")
                    .contains("local-dev-key").contains("curl -X POST http://127.0.0.1:"
                            + environment.get("PAYSTREAM_INGRESS_PORT") + "/v1/payments");
            assertThat(health(environment.get("PAYSTREAM_PROCESSOR_ADMIN_PORT"))).isEqualTo(200);
            assertThat(health(environment.get("PAYSTREAM_INGRESS_ADMIN_PORT"))).isEqualTo(200);
            assertThat(home.resolve("logs/kafka.log")).exists();
            assertThat(home.resolve("logs/processor.log")).exists();

            Launcher second = new Launcher(environment);
            assertThat(second.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.process.exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> second.output().contains("already running"));
        } finally {
            // SIGTERM through the handle: Process.destroy() would also close our end of its output pipe.
            stack.process.toHandle().destroy();
        }
        assertThat(stack.process.waitFor(90, TimeUnit.SECONDS)).as("the launcher stops on SIGTERM").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> stack.output().contains("stopped"));
        assertThat(stack.output()).contains("stopping kafka").doesNotContain("exited with code");
        for (String port : List.of("PAYSTREAM_KAFKA_PORT", "PAYSTREAM_PROCESSOR_PORT", "PAYSTREAM_INGRESS_PORT",
                "PAYSTREAM_POSTGRES_PORT", "PAYSTREAM_CONNECT_PORT")) {
            assertThat(listening(environment.get(port))).as("%s still listening", port).isFalse();
        }
    }

    @Test
    void refusesToStartWhenAPortIsTaken() throws Exception {
        Map<String, String> environment = environment(Files.createTempDirectory("paystream-home"));
        int taken = Integer.parseInt(environment.get("PAYSTREAM_INGRESS_PORT"));
        try (ServerSocket squatter = new ServerSocket(taken, 1, InetAddress.getLoopbackAddress())) {
            assertThat(squatter.isBound()).isTrue();
            Launcher stack = new Launcher(environment);
            assertThat(stack.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(stack.process.exitValue()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> stack.output().contains("already in use"));
            assertThat(stack.output()).contains("port " + taken).contains("PAYSTREAM_INGRESS_PORT")
                    .doesNotContain("Exception");
        }
    }
}
