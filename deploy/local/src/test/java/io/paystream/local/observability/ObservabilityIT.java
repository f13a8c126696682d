package io.paystream.local.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.local.StackLauncher;
import io.paystream.testing.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.parallel.ResourceAccessMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import io.paystream.local.StackSlots;

/**
 * The whole stack as {@code make run} starts it (the launcher itself, in its own process on free ports: what it prints,
 * refusing a second start, stopping every process on SIGTERM), with the OpenTelemetry agent attached to every JVM and
 * its spans
 * written to the logs ({@code OTEL_TRACES_EXPORTER=logging-otlp}). A few payments go through the ingress over HTTP,
 * one of them inside a trace this test starts. Then: that payment's spans share the test's trace id from the ingress
 * through every Kafka hop to the audit and notification records, and the sink's batch links to it; the JSON logs
 * carry the trace id and never the API key or the payment's reference; every app's {@code /metrics} passes
 * {@code promtool check metrics}; and every metric an alert or a dashboard reads exists in those scrapes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ResourceLock(value = StackSlots.MACHINE, mode = ResourceAccessMode.READ)
class ObservabilityIT {
    private static final Duration START = Duration.ofMinutes(4);
    private static final Duration SETTLE = Duration.ofSeconds(60);
    private static final String KEY = "local-dev-key";
    /** Sent as the traced transfer's reference: it must never show up in a log. */
    private static final String MARKER = "obs-marker-5f1c2a";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path home;
    private static Map<String, String> environment;
    private static StackLauncher stack;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The trace the test opens around the transfer, as a W3C traceparent would carry it. */
    private static final String TRACE_ID;
    private static final String CLIENT_SPAN_ID;

    static {
        Random random = new Random();
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        random.nextBytes(trace);
        random.nextBytes(span);
        TRACE_ID = HexFormat.of().formatHex(trace);
        CLIENT_SPAN_ID = HexFormat.of().formatHex(span);
    }

    private static String transferId;
    private static String reversedId;

    @BeforeAll
    static void startTheStackAndPay() throws Exception {
        home = Files.createTempDirectory("paystream-observability");
        environment = StackLauncher.environment(home);
        environment.put("OTEL_TRACES_EXPORTER", "logging-otlp");
        environment.put("OTEL_BSP_SCHEDULE_DELAY", "200");
        stack = new StackLauncher(environment);
        await().atMost(START).until(stack::readyOrExited);
        assertThat(stack.output()).as(stack.output()).contains("PayStream is running")
                .contains("traces exported to logging-otlp");

        for (String account : List.of("alice", "bob")) {
            assertThat(post("/v1/accounts", "{\"accountId\":\"" + account + "\",\"currency\":\"USD\","
                    + "\"type\":\"CUSTOMER\"}", null, null).statusCode()).isEqualTo(202);
        }
        await().atMost(SETTLE).until(() -> get(queries("/v1/accounts/bob")).statusCode() == 200);
        String topUp = paymentId(post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"alice\",\"amount\":10000,"
                + "\"currency\":\"USD\"}", "obs-topup", null));
        await().atMost(SETTLE).until(() -> status(topUp).equals("COMPLETED"));

        String transfer = "{\"type\":\"TRANSFER\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":1050,"
                + "\"currency\":\"USD\",\"reference\":\"" + MARKER + "\"}";
        transferId = paymentId(post("/v1/payments", transfer, "obs-transfer",
                "00-" + TRACE_ID + "-" + CLIENT_SPAN_ID + "-01"));
        // The same request again: the ingress maps it to the same payment id, and intake drops it as a duplicate.
        assertThat(paymentId(post("/v1/payments", transfer, "obs-transfer", null))).isEqualTo(transferId);
        // A PAYMENT must go to a merchant: bob is not one, so the debit is reversed.
        reversedId = paymentId(post("/v1/payments", "{\"type\":\"PAYMENT\",\"from\":\"alice\",\"to\":\"bob\","
                + "\"amount\":50,\"currency\":\"USD\"}", "obs-reversed", null));
        assertThat(post("/v1/payments", "{\"type\":\"TOPUP\",\"to\":\"alice\",\"amount\":1.5,\"currency\":\"USD\"}",
                "obs-invalid", null).statusCode()).isEqualTo(422);
        await().atMost(SETTLE).until(() -> status(transferId).equals("COMPLETED")
                && status(reversedId).equals("REVERSED"));
    }

    /** The launcher stops every process on SIGTERM, the apps before the broker, and frees every port. */
    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.stop();
            assertThat(stack.process().waitFor(90, TimeUnit.SECONDS)).as("the launcher stops").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> stack.output().contains("stopped"));
            assertThat(stack.output()).contains("stopping kafka").doesNotContain("exited with code");
            assertThat(stack.output().indexOf("stopping ingress")).isLessThan(stack.output().indexOf("stopping kafka"));
            for (String port : List.of("PAYSTREAM_KAFKA_PORT", "PAYSTREAM_PROCESSOR_PORT", "PAYSTREAM_INGRESS_PORT",
                    "PAYSTREAM_POSTGRES_PORT", "PAYSTREAM_CONNECT_PORT", "PAYSTREAM_SMTP_PORT",
                    "PAYSTREAM_ACQUIRER_PORT")) {
                assertThat(listening(environment.get(port))).as("%s still listening", port).isFalse();
            }
        }
    }

    private static boolean listening(String port) {
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                Integer.parseInt(port))) {
            return socket.isConnected();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * {@code make run} itself, as a person sees it: the banner says how to use each part, every app answers health,
     * the console at the printed URL writes to this stack's ingress, the logs are where it says, and a second start
     * from the same directory is refused with a clear message while the first runs.
     */
    @Test
    @Order(0)
    void theLauncherSaysHowToUseTheStackAndRefusesASecondStart() throws Exception {
        assertThat(stack.output()).contains("connect    sinks running").contains("postgres   ready on")
                .contains("processor  healthy").contains("local-dev-key")
                .contains("curl -X POST http://127.0.0.1:" + environment.get("PAYSTREAM_INGRESS_PORT")
                        + "/v1/payments");
        for (String admin : List.of("PAYSTREAM_PROCESSOR_ADMIN_PORT", "PAYSTREAM_INGRESS_ADMIN_PORT")) {
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + environment.get(admin)
                    + "/healthcheck")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).as(admin).isEqualTo(200);
        }
        String console = "http://127.0.0.1:" + environment.get("PAYSTREAM_PROCESSOR_PORT") + "/console/";
        assertThat(stack.output()).contains("console       " + console);
        HttpResponse<String> config = HTTP.send(HttpRequest.newBuilder(URI.create(console + "config.json"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(config.body()).contains("\"ingressUrl\":\"http://127.0.0.1:"
                + environment.get("PAYSTREAM_INGRESS_PORT") + "\"").contains("\"simulator\":true");
        assertThat(home.resolve("logs/kafka.log")).exists();
        assertThat(home.resolve("logs/processor-1.log")).exists();

        StackLauncher second = new StackLauncher(environment);
        assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(second.process().exitValue()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> second.output().contains("already running"));
    }

    @Test
    @Order(2)
    void oneTraceFollowsAPaymentFromTheIngressThroughEveryKafkaHop() throws IOException {
        await().atMost(SETTLE).untilAsserted(() -> assertThat(spanNames(spansOf(TRACE_ID))).contains(
                "paystream-ingress POST /v1/payments",
                "paystream-ingress payments.requests.v1 publish",
                "paystream-processor payments.requests.v1 process",
                "paystream-processor payments.ledger.v1 publish",
                "paystream-processor payments.ledger.v1 process",
                "paystream-processor payments.events.v1 publish",
                "paystream-processor payments.events.v1 process",
                "paystream-processor payments.audit.v1 publish",
                "paystream-processor payments.notifications.v1 publish"));
        List<Span> trace = spansOf(TRACE_ID);
        // Intake and the debit in one step on alice's task (one journal entry published under the request's span),
        // then one ledger hop: the credit on bob's task, a child of the CREDIT command's publish.
        assertThat(trace).filteredOn(s -> s.name().equals("payments.requests.v1 process")).hasSize(1);
        assertThat(trace).filteredOn(s -> s.name().equals("payments.ledger.v1 process")).hasSize(1);
        assertThat(trace).filteredOn(s -> s.name().equals("payments.audit.v1 publish")).hasSize(2);
        Span intake = trace.stream().filter(s -> s.name().equals("payments.requests.v1 process")).findFirst()
                .orElseThrow();
        assertThat(trace).filteredOn(s -> s.name().equals("payments.audit.v1 publish"))
                .anySatisfy(debit -> assertThat(debit.parentSpanId()).isEqualTo(intake.spanId()));
        // Connected: every span's parent is in the trace, or is the test's own client span.
        Set<String> parents = new HashSet<>(List.of(CLIENT_SPAN_ID));
        trace.forEach(s -> parents.add(s.spanId()));
        for (Span span : trace) {
            assertThat(parents).as("parent of %s", span).contains(span.parentSpanId());
        }
        assertThat(trace).filteredOn(s -> s.parentSpanId().equals(CLIENT_SPAN_ID)).extracting(Span::name)
                .containsExactly("POST /v1/payments");
        // docs/observability.md quotes this tree.
        System.out.println("trace " + TRACE_ID + " (" + trace.size() + " spans)\n" + tree(trace, CLIENT_SPAN_ID, ""));
        // The sinks write records in batches: a batch span cannot be the payment's child, so it links to it.
        await().atMost(SETTLE).untilAsserted(() -> assertThat(allSpans()).anySatisfy(span -> {
            assertThat(span.service()).isEqualTo("paystream-connect");
            assertThat(span.name()).isEqualTo("payments.audit.v1 process");
            assertThat(span.linkedTraceIds()).contains(TRACE_ID);
        }));
    }

    @Test
    @Order(3)
    void logsAreJsonWithTheTraceIdAndWithoutSecretsOrBodies() throws Exception {
        // One line per accepted command, written inside the request's trace.
        await().atMost(SETTLE).untilAsserted(() -> assertThat(jsonLines("ingress")).anySatisfy(line -> {
            assertThat(line.path("message").asText()).startsWith("accepted payment " + transferId + " at ");
            assertThat(line.path("trace_id").asText()).isEqualTo(TRACE_ID);
            assertThat(line.path("span_id").asText()).matches("[0-9a-f]{16}");
            assertThat(line.path("level").asText()).isEqualTo("INFO");
        }));

        assertThat(jsonLines("ingress")).anySatisfy(request -> {
            assertThat(request.path("uri").asText()).isEqualTo("/v1/payments");
            assertThat(request.path("status").asInt()).isEqualTo(202);
            assertThat(request.path("requestAttributes").path("trace_id").asText()).isEqualTo(TRACE_ID);
        });
        assertThat(jsonLines("processor-1")).as("the processor logs JSON too").isNotEmpty();

        try (Stream<Path> logs = Files.list(home.resolve("logs"))) {
            for (Path log : logs.toList()) {
                String text = Files.readString(log);
                assertThat(text).as("%s holds the API key", log).doesNotContain(KEY);
                assertThat(text).as("%s holds a request body", log).doesNotContain(MARKER);
            }
        }
    }

    @Test
    @Order(1) // first: the volume gauge covers only the last minute
    void everyAppServesValidPrometheusTextWithTheBusinessMetrics() throws Exception {
        await().atMost(SETTLE).untilAsserted(() -> {
            PrometheusText processor = PrometheusText.parse(scrape("PAYSTREAM_PROCESSOR_ADMIN_PORT"));
            assertThat(processor.sum("paystream_payments_total", Map.of("status", "COMPLETED"))).isEqualTo(2.0);
            assertThat(processor.sum("paystream_payments_reversals_total", Map.of("reason", "INVALID_REQUEST")))
                    .isEqualTo(1.0);
            assertThat(processor.sum("paystream_payments_duplicates_total")).isEqualTo(1.0);
            assertThat(processor.names()).contains("paystream_payments_in_flight",
                    "paystream_payment_e2e_latency_seconds_bucket");
            assertThat(processor.sum("paystream_payments_in_flight", Map.of("currency", "USD"))).isZero();
            assertThat(processor.sum("paystream_payments_volume_last_minute_minor_units", Map.of("currency", "USD")))
                    .isEqualTo(11_050.0);
            PrometheusText ingress = PrometheusText.parse(scrape("PAYSTREAM_INGRESS_ADMIN_PORT"));
            assertThat(ingress.sum("paystream_http_errors_total", Map.of("status", "422"))).isEqualTo(1.0);
            assertThat(ingress.sum("http_server_requests_seconds_count", Map.of("uri", "/v1/payments",
                    "status", "202"))).isEqualTo(4.0);
            PrometheusText connect = PrometheusText.parse(scrape("PAYSTREAM_CONNECT_PORT"));
            // Movements only: the top-up's credit, the transfer's debit and credit, the reversed debit and reversal.
            assertThat(connect.sum("paystream_sink_rows_written_total", Map.of("table", "ledger_entries")))
                    .isEqualTo(5.0);
        });
        for (String port : List.of("PAYSTREAM_PROCESSOR_ADMIN_PORT", "PAYSTREAM_INGRESS_ADMIN_PORT",
                "PAYSTREAM_CONNECT_PORT")) {
            Promtool.Result check = Promtool.run(home, scrape(port), "check", "metrics");
            // Exit 3 is lint advice only; the format parsed. Libraries' names (Kafka's *_ns_total, Micrometer's
            // system_cpu_count) draw advice we cannot change; our own metrics must draw none.
            assertThat(check.exitCode()).as(port + ": " + check.output()).isIn(0, Promtool.LINT_PROBLEMS);
            assertThat(check.output()).as(port).doesNotContain("error").doesNotContainPattern("(?m)^paystream_");
        }
    }

    @Test
    @Order(4)
    void everyMetricThatAnAlertOrADashboardReadsExists() throws Exception {
        Set<String> served = new TreeSet<>();
        // Some series appear only once their first record passed (lag, sink batches); wait for them.
        await().atMost(SETTLE).untilAsserted(() -> {
            served.clear();
            for (String port : List.of("PAYSTREAM_PROCESSOR_ADMIN_PORT", "PAYSTREAM_INGRESS_ADMIN_PORT",
                    "PAYSTREAM_CONNECT_PORT")) {
                served.addAll(PrometheusText.parse(scrape(port)).names());
            }
            Set<String> used = new TreeSet<>(ObservabilityFiles.metricNamesUsed());
            used.remove("up"); // Prometheus makes it for every target
            assertThat(used).hasSizeGreaterThan(40);
            assertThat(served).containsAll(used);
        });
    }

    // --- spans, as the agent's logging-otlp exporter writes them -------------------------------------------------

    /** The spans under {@code parent}, one per line, each child indented under its parent. */
    private static String tree(List<Span> trace, String parent, String indent) {
        StringBuilder lines = new StringBuilder();
        for (Span span : trace) {
            if (span.parentSpanId().equals(parent)) {
                lines.append(indent).append(String.format("%-20s %s%n", span.service(), span.name()))
                        .append(tree(trace, span.spanId(), indent + "  "));
            }
        }
        return lines.toString();
    }

    record Span(String service, String traceId, String spanId, String parentSpanId, String name,
            List<String> linkedTraceIds) {
    }

    private static List<Span> allSpans() throws IOException {
        List<Span> spans = new ArrayList<>();
        for (String app : List.of("ingress", "processor-1", "connect")) {
            for (String line : Files.readAllLines(home.resolve("logs").resolve(app + ".log"))) {
                int start = line.indexOf("OtlpJsonLoggingSpanExporter - {");
                if (start < 0) {
                    continue;
                }
                JsonNode resourceSpans = JSON.readTree(line.substring(line.indexOf('{', start)));
                String service = null;
                for (JsonNode attribute : resourceSpans.path("resource").path("attributes")) {
                    if (attribute.path("key").asText().equals("service.name")) {
                        service = attribute.path("value").path("stringValue").asText();
                    }
                }
                for (JsonNode scope : resourceSpans.path("scopeSpans")) {
                    for (JsonNode span : scope.path("spans")) {
                        List<String> links = new ArrayList<>();
                        span.path("links").forEach(link -> links.add(link.path("traceId").asText()));
                        spans.add(new Span(service, span.path("traceId").asText(), span.path("spanId").asText(),
                                span.path("parentSpanId").asText(), span.path("name").asText(), links));
                    }
                }
            }
        }
        return spans;
    }

    private static List<Span> spansOf(String traceId) throws IOException {
        return allSpans().stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    private static Set<String> spanNames(List<Span> spans) {
        Set<String> names = new TreeSet<>();
        spans.forEach(s -> names.add(s.service() + " " + s.name()));
        return names;
    }

    // --- logs and HTTP ------------------------------------------------------------------------------------------

    private static List<JsonNode> jsonLines(String app) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(home.resolve("logs").resolve(app + ".log"))) {
            if (line.startsWith("{")) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static String scrape(String portVariable) throws Exception {
        HttpResponse<String> response = get("http://127.0.0.1:" + environment.get(portVariable) + "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static String queries(String path) {
        return "http://127.0.0.1:" + environment.get("PAYSTREAM_PROCESSOR_PORT") + path;
    }

    private static HttpResponse<String> get(String uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body, String idempotencyKey, String traceparent)
            throws Exception {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + KEY);
        headers.put("Content-Type", "application/json");
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        if (traceparent != null) {
            headers.put("traceparent", traceparent);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + environment.get("PAYSTREAM_INGRESS_PORT") + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String paymentId(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).path("paymentId").asText();
    }

    private static String status(String paymentId) throws Exception {
        HttpResponse<String> response = get(queries("/v1/payments/" + paymentId));
        return response.statusCode() == 200 ? JSON.readTree(response.body()).path("status").asText() : "";
    }
}
