package io.paystream.local.chaos;

import io.paystream.local.BrokerProperties;
import io.paystream.local.ChildProcess;
import io.paystream.local.ConnectWorker;
import io.paystream.local.StackLayout;
import io.paystream.testing.FreePorts;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Real processes on loopback: a KRaft broker, up to three processor instances (each with its own state dir and ports),
 * the ingress, PostgreSQL and the sinks in a Connect worker (for account history), started from the built modules exactly as {@code make run} starts them. Faults are real signals:
 * SIGKILL for crashes, SIGTERM for clean stops.
 */
final class ChaosCluster implements AutoCloseable {
    static final int MAX_PROCESSORS = 3;
    private static final Duration START = Duration.ofSeconds(120);
    private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

    private final Path home;
    private final StackLayout layout;
    private final long commitIntervalMs;
    private final int[] processorPorts = new int[MAX_PROCESSORS];
    private final int[] processorAdminPorts = new int[MAX_PROCESSORS];
    private final ChildProcess[] processors = new ChildProcess[MAX_PROCESSORS];
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildProcess broker;
    private ChildProcess ingress;
    private ChildProcess connect;
    private EmbeddedPostgres postgres;

    ChaosCluster(Path home, long commitIntervalMs) {
        this.home = home;
        this.commitIntervalMs = commitIntervalMs;
        this.layout = new StackLayout(ROOT, home, FreePorts.next(), FreePorts.next(), 0, 0, FreePorts.next(),
                FreePorts.next(), FreePorts.next(), FreePorts.next());
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            processorPorts[i] = FreePorts.next();
            processorAdminPorts[i] = FreePorts.next();
        }
    }

    String bootstrapServers() {
        return layout.bootstrapServers();
    }

    String ingressUrl() {
        return "http://127.0.0.1:" + layout.ingressPort();
    }

    String queryUrl(int instance) {
        return "http://127.0.0.1:" + processorPorts[instance];
    }

    String adminUrl(int instance) {
        return "http://127.0.0.1:" + processorAdminPorts[instance];
    }

    Path logs() {
        return layout.logs();
    }

    void startBroker() throws IOException, InterruptedException {
        Path dir = layout.kafkaDir();
        Files.createDirectories(dir);
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, BrokerProperties.render(layout, dir.resolve("data")));
        // The launcher's own runtime classpath, as `make run` uses: the broker and slf4j-simple, no test jars.
        Path target = Path.of("target").toAbsolutePath();
        String classpath = target.resolve("local-stack-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*";
        if (!Files.exists(dir.resolve("data/meta.properties"))) {
            ChildProcess.runToCompletion("kafka storage format", ROOT, layout.logs().resolve("kafka.log"), classpath,
                    "kafka.tools.StorageTool", BrokerProperties.formatArguments(
                            BrokerProperties.newClusterId(UUID.randomUUID()), properties),
                    Duration.ofSeconds(60));
        }
        broker = ChildProcess.start("kafka", ROOT, layout.logs().resolve("kafka.log"), classpath,
                List.of("-Xmx512m", "-XX:+UseSerialGC"), "kafka.Kafka", List.of(properties.toString()), Map.of());
        broker.awaitPort(layout.kafkaPort(), START);
    }

    /** The PostgreSQL copy of the journal that serves account history, as in {@code make run}. */
    void startPostgres() throws IOException {
        postgres = EmbeddedPostgres.builder().setPort(layout.postgresPort())
                .setDataDirectory(home.resolve("postgres")).setCleanDataDirectory(true)
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(layout.logs().resolve("postgres.log").toFile()))
                .start();
    }

    /** The sinks in a standalone Connect worker, as in {@code make run}; after a processor has created the topics. */
    void startConnect() throws IOException, InterruptedException {
        connect = ConnectWorker.start(layout, List.of());
        ConnectWorker.awaitRunning(connect, layout, START);
    }

    void killBroker() throws InterruptedException {
        broker.kill();
    }

    /** Starts processor {@code instance}; waits for its health check when {@code await} is set. */
    void startProcessor(int instance, boolean await) throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", layout.bootstrapServers());
        environment.put("PAYSTREAM_PROCESSOR_PORT", String.valueOf(processorPorts[instance]));
        environment.put("PAYSTREAM_PROCESSOR_ADMIN_PORT", String.valueOf(processorAdminPorts[instance]));
        environment.put("PAYSTREAM_APPLICATION_SERVER", "127.0.0.1:" + processorPorts[instance]);
        environment.put("PAYSTREAM_STATE_DIR", home.resolve("state/processor-" + instance).toString());
        environment.put("PAYSTREAM_COMMIT_INTERVAL_MS", String.valueOf(commitIntervalMs));
        environment.put("PAYSTREAM_PARTITIONS", "6");
        environment.put("PAYSTREAM_STANDBY_REPLICAS", "1");
        // More sensitive than the 60 s default, yet above the longest broker restart measured here (29 s), which
        // leaves records waiting without being a stall. The readers report any stall as a violation.
        environment.put("PAYSTREAM_STALL_TIMEOUT", "45s");
        processors[instance] = app("processor-" + instance, "streams-processor",
                "io.paystream.processor.ProcessorApplication", environment, "384m",
                List.of("-Ddw.database.driverClass=org.postgresql.Driver", "-Ddw.database.url=" + layout.jdbcUrl(),
                        "-Ddw.database.user=postgres"));
        if (await) {
            processors[instance].awaitHealthy(processorAdminPorts[instance], START);
        }
    }

    void killProcessor(int instance) throws InterruptedException {
        processors[instance].kill();
        processors[instance] = null;
    }

    void stopProcessor(int instance) throws InterruptedException {
        processors[instance].stop();
        processors[instance] = null;
    }

    boolean isRunning(int instance) {
        return processors[instance] != null && processors[instance].isAlive();
    }

    /** Processors that exited although no fault stopped them (a crash in the JVM, a stall that gave up), in words. */
    List<String> unexpectedExits() {
        List<String> exits = new ArrayList<>();
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            if (processors[i] != null && !processors[i].isAlive()) {
                exits.add("processor-" + i + " exited on its own with code " + processors[i].process().exitValue()
                        + "; see " + layout.logs().resolve("processor-" + i + ".log"));
            }
        }
        return exits;
    }

    List<Integer> runningProcessors() {
        List<Integer> running = new ArrayList<>();
        for (int i = 0; i < MAX_PROCESSORS; i++) {
            if (isRunning(i)) {
                running.add(i);
            }
        }
        return running;
    }

    void startIngress() throws IOException, InterruptedException {
        Map<String, String> environment = new HashMap<>();
        environment.put("KAFKA_BOOTSTRAP_SERVERS", layout.bootstrapServers());
        environment.put("PAYSTREAM_INGRESS_PORT", String.valueOf(layout.ingressPort()));
        environment.put("PAYSTREAM_INGRESS_ADMIN_PORT", String.valueOf(layout.ingressAdminPort()));
        // The workload is bounded; the limiter must not be what it measures.
        environment.put("PAYSTREAM_RATE_LIMIT_PER_SECOND", "5000");
        environment.put("PAYSTREAM_RATE_LIMIT_BURST", "5000");
        ingress = app("ingress", "ingress-api", "io.paystream.ingress.IngressApplication", environment, "256m",
                List.of());
        ingress.awaitHealthy(layout.ingressAdminPort(), START);
    }

    /** True when every running processor answers its health check with 200. */
    boolean processorsHealthy() {
        List<Integer> running = runningProcessors();
        if (running.isEmpty()) {
            return false;
        }
        for (int instance : running) {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + processorAdminPorts[instance] + "/healthcheck")).timeout(Duration.ofSeconds(3)).GET()
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() != 200) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private ChildProcess app(String name, String module, String mainClass, Map<String, String> environment,
            String heap, List<String> overrides) throws IOException {
        Path target = ROOT.resolve(module).resolve("target");
        List<String> jvmArgs = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        jvmArgs.addAll(overrides);
        return ChildProcess.start(name, ROOT, layout.logs().resolve(name + ".log"),
                target.resolve(module + "-0.1.0-SNAPSHOT.jar") + ":" + target.resolve("lib") + "/*", jvmArgs, mainClass,
                List.of("server", ROOT.resolve(module).resolve("config.yml").toString()), environment);
    }

    /** Stops the apps, then the broker and PostgreSQL, with SIGTERM; the logs stay for whoever reads the report. */
    @Override
    public void close() {
        try {
            if (connect != null) {
                connect.stop();
            }
            if (ingress != null) {
                ingress.stop();
            }
            for (int i = 0; i < MAX_PROCESSORS; i++) {
                if (processors[i] != null) {
                    processors[i].stop();
                }
            }
            if (broker != null) {
                broker.stop();
            }
            if (postgres != null) {
                postgres.close();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot stop the chaos cluster's PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the chaos cluster", e);
        }
    }
}
