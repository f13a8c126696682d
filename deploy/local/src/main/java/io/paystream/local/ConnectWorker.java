package io.paystream.local;

import io.paystream.web.config.PayStreamConfiguration;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Kafka Connect worker in its own JVM, running PayStream's two sinks into the local PostgreSQL and the
 * webhook and email sinks (whose delivery queue and send log are in the same database), and the acquirer connector
 * that charges card top-ups at the local acquirer simulator. Its configuration files are written under {@code .paystream/connect/} at every start; its offsets survive restarts.
 */
public final class ConnectWorker {
    static final List<String> CONNECTORS = List.of("paystream-ledger-sink", "paystream-payments-sink",
            "paystream-webhooks", "paystream-email", "paystream-acquirer");

    private ConnectWorker() {
    }

    /**
     * The credential the REST API asks for when it is not left open on loopback: the deployments' workers always
     * ask for one (io.paystream.sinks.rest.BasicAuthRestExtension, which is not on this JVM's class path), while the
     * local stack's worker listens on 127.0.0.1 only.
     */
    public record RestAuth(String user, String password) {
        String passwordSha256() {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(password.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        String header() {
            return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    public static ChildProcess start(StackLayout layout, List<String> telemetryArgs) throws IOException {
        return start(layout, telemetryArgs, null);
    }

    /** Starts the worker; with {@code auth}, its REST API (and /metrics) wants that credential. */
    public static ChildProcess start(StackLayout layout, List<String> telemetryArgs, RestAuth auth)
            throws IOException {
        Path dir = layout.home().resolve("connect");
        Files.createDirectories(dir);
        Path worker = dir.resolve("worker.properties");
        Files.writeString(worker, String.join("\n",
                "# Written by the local stack at every start.",
                "bootstrap.servers=" + layout.bootstrapServers(),
                "listeners=http://127.0.0.1:" + layout.connectPort(),
                // Plugins come from their META-INF/services manifests, without a reflective scan of every class of
                // every jar, which took about 8 s of each start.
                "plugin.discovery=service_load",
                "key.converter=org.apache.kafka.connect.storage.StringConverter",
                "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                "offset.storage.file.filename=" + dir.resolve("offsets"),
                "offset.flush.interval.ms=1000",
                // A killed worker's sink consumers leave their partitions after 6 s, not the default 45 s: a worker
                // restarted at once takes them back, and card top-ups in flight are answered, without a long wait.
                "consumer.session.timeout.ms=6000",
                "consumer.heartbeat.interval.ms=1000",
                // The connectors ask for read_committed consumers: that override alone is allowed, never a client's
                // bootstrap servers, credentials or interceptors.
                "connector.client.config.override.policy=Allowlist",
                "connector.client.config.override.allowlist=isolation.level",
                // Prometheus metrics at /metrics on the REST port: the sinks' own, plus Connect's task metrics.
                // (JmxReporter is Kafka's default, which setting metric.reporters replaces.)
                "rest.extension.classes=io.paystream.sinks.metrics.MetricsRestExtension"
                        + (auth == null ? "" : ",io.paystream.sinks.rest.BasicAuthRestExtension"),
                auth == null ? "" : "paystream.rest.auth.user=" + auth.user(),
                auth == null ? "" : "paystream.rest.auth.password.sha256="
                        + auth.passwordSha256(),
                "metric.reporters=org.apache.kafka.common.metrics.JmxReporter,"
                        + "io.paystream.sinks.metrics.ConnectMetricsBridge",
                // One class only: the OpenTelemetry agent adds its own reporter to every client's list and, given
                // a comma-separated string, treats the whole string as one class name; the task consumers would
                // then fail to start. Their JMX metrics are the price.
                "consumer.metric.reporters=io.paystream.sinks.metrics.ConnectMetricsBridge",
                ""));
        Path ledger = connector(dir, CONNECTORS.get(0), "io.paystream.sinks.JournalSinkConnector",
                "payments.audit.v1", "audit", layout, List.of());
        Path payments = connector(dir, CONNECTORS.get(1), "io.paystream.sinks.PaymentEventSinkConnector",
                "payments.events.v1", "payment-event", layout, List.of());
        Path webhooks = connector(dir, CONNECTORS.get(2), "io.paystream.sinks.webhooks.WebhookSinkConnector",
                "payments.notifications.v1,accounts.balance-events.v1", "notification", layout, List.of(
                        "paystream.kafka.bootstrap.servers=" + layout.bootstrapServers(),
                        // Receivers on a laptop listen on 127.0.0.1; private and link-local ranges stay refused.
                        "paystream.webhooks.allow.loopback=true"));
        Path email = connector(dir, CONNECTORS.get(3), "io.paystream.sinks.email.EmailSinkConnector",
                "payments.notifications.v1", "notification", layout, List.of(
                        "paystream.smtp.host=127.0.0.1",
                        "paystream.smtp.port=" + layout.smtpPort(),
                        // Addresses are read from the first processor's query API, with the local admin key.
                        "paystream.query.api.url=http://127.0.0.1:" + layout.processorPort(0),
                        // Connect's own service:read key of the query API, not the admin key.
                        "paystream.query.api.key=" + PayStreamConfiguration.LOCAL_CONNECT_QUERY_KEY,
                        "paystream.email.retry.backoff.ms=1000"));
        Path acquirer = connector(dir, CONNECTORS.get(4), "io.paystream.sinks.acquirer.AcquirerSinkConnector",
                "acquirer.requests.v1", "acquirer-request", layout, List.of(
                        "paystream.acquirer.url=http://127.0.0.1:" + layout.acquirerPort(),
                        "paystream.kafka.bootstrap.servers=" + layout.bootstrapServers()));
        Path lib = layout.root().resolve("deploy/connect/target/lib");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(lib + " is missing: build first (`make build`, which `make run` does)");
        }
        List<String> jvmArgs = new java.util.ArrayList<>(List.of("-Xmx384m", "-XX:+UseSerialGC"));
        jvmArgs.addAll(telemetryArgs);
        return ChildProcess.start("connect", layout.root(), layout.logs().resolve("connect.log"), lib + "/*",
                jvmArgs, "org.apache.kafka.connect.cli.ConnectStandalone",
                List.of(worker.toString(), ledger.toString(), payments.toString(), webhooks.toString(),
                        email.toString(), acquirer.toString()), Map.of());
    }

    private static Path connector(Path dir, String name, String connectorClass, String topic, String record,
            StackLayout layout, List<String> extra) throws IOException {
        Path file = dir.resolve(name + ".properties");
        List<String> lines = new java.util.ArrayList<>(List.of(
                "name=" + name,
                "connector.class=" + connectorClass,
                "tasks.max=1",
                "topics=" + topic,
                "value.converter=io.paystream.sinks.PayStreamAvroConverter",
                "value.converter.record=" + record,
                // Copy only what committed transactions wrote: the journal, never an aborted attempt.
                "consumer.override.isolation.level=read_committed",
                "errors.tolerance=all",
                "errors.deadletterqueue.topic.name=paystream.sinks.dlq.v1",
                "errors.deadletterqueue.topic.replication.factor=" + layout.replicationFactor(),
                "errors.deadletterqueue.context.headers.enable=true",
                "paystream.jdbc.url=" + layout.jdbcUrl(),
                "paystream.jdbc.user=postgres"));
        lines.addAll(extra);
        lines.add("");
        Files.writeString(file, String.join("\n", lines));
        return file;
    }

    /** Waits until every connector and its task report RUNNING on the worker's REST API. */
    public static void awaitRunning(ChildProcess worker, StackLayout layout, Duration timeout)
            throws InterruptedException {
        awaitRunning(worker, layout, timeout, null);
    }

    /** As {@link #awaitRunning(ChildProcess, StackLayout, Duration)}, for a worker started with {@code auth}. */
    public static void awaitRunning(ChildProcess worker, StackLayout layout, Duration timeout, RestAuth auth)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!worker.isAlive()) {
                throw new IllegalStateException("the Connect worker exited while starting; see "
                        + layout.logs().resolve("connect.log"));
            }
            if (CONNECTORS.stream().allMatch(name -> running(http, layout, name, auth))) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException("the sink connectors did not reach RUNNING within " + timeout + "; see "
                + layout.logs().resolve("connect.log"));
    }

    private static boolean running(HttpClient http, StackLayout layout, String name, RestAuth auth) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + layout.connectPort()
                    + "/connectors/" + name + "/status")).timeout(Duration.ofSeconds(5)).GET();
            if (auth != null) {
                request.header("Authorization", auth.header());
            }
            String body = http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
            return body.contains("\"tasks\":[{\"id\":0,\"state\":\"RUNNING\"")
                    && body.contains("\"connector\":{\"state\":\"RUNNING\"");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
