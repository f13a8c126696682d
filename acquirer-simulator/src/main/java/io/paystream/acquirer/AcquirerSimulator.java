package io.paystream.acquirer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A card acquirer to charge against: {@code POST /v1/charges} with an {@code Idempotency-Key} and
 * {@code {"token","amount","currency","reference"}} answers an APPROVED or DECLINED charge after the configured latency.
 *
 * <ul>
 *   <li>{@code tok_approve} is always approved; {@code tok_decline} always declined ({@code card_declined});
 *       {@code tok_insufficient_funds} declined with that code; {@code tok_timeout} is decided (approved) at once but
 *       answered only after the hang time, once: a retry with the same key gets the decision at once, so a client that
 *       timed out and retries is never charged twice; {@code tok_hang} never answers in time. Any other
 *       {@code tok_...} is approved with the configured probability, else declined {@code do_not_honor}.</li>
 *   <li>The same key with the same token, amount and currency is the same charge, answered again with
 *       {@code Idempotent-Replayed: true}; with anything else, 409. Charges are appended to a file, when one is
 *       configured, and read back at start: a restart forgets nothing.</li>
 *   <li>{@code POST /v1/charges/{chargeId}/refunds} with an {@code Idempotency-Key} gives the whole of an approved
 *       charge back, once: a second request for the same charge, with any key, is answered with the same refund
 *       ({@code Idempotent-Replayed: true}). An unknown charge is 404; a declined one 409. Refunds are kept in
 *       {@code refunds.jsonl} beside the charges' file.</li>
 *   <li>{@code GET /v1/charges/{chargeId}}, {@code GET /healthcheck}, and Prometheus metrics at {@code GET /metrics}.</li>
 * </ul>
 */
public final class AcquirerSimulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("tok_[A-Za-z0-9_]{1,64}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");
    private static final long AMOUNT_MAX = 1_000_000_000_000_000L;
    private static final int KEY_LENGTH_MAX = 255;

    /**
     * How the simulator behaves.
     *
     * @param port where it listens, on 127.0.0.1 (0: any free port)
     * @param approvalRate the share of ordinary tokens approved, 0 to 1 (0.9 by default)
     * @param latency how long each new charge takes to decide
     * @param hang how long {@code tok_timeout}'s first answer and every {@code tok_hang} answer wait
     * @param dataFile where charges are kept across restarts; null keeps them in memory only
     * @param seed the random source of approvals, for repeatable runs
     */
    public record Settings(int port, double approvalRate, Duration latency, Duration hang, Path dataFile,
            long seed) {
        public Settings {
            if (approvalRate < 0 || approvalRate > 1) {
                throw new IllegalArgumentException("approvalRate must be between 0 and 1, not " + approvalRate);
            }
        }

        /** From the environment: PAYSTREAM_ACQUIRER_PORT, _APPROVAL_RATE, _LATENCY_MS, _HANG_MS, _DATA, _SEED. */
        public static Settings fromEnvironment(Map<String, String> environment) {
            String data = environment.get("PAYSTREAM_ACQUIRER_DATA");
            return new Settings(Integer.parseInt(environment.getOrDefault("PAYSTREAM_ACQUIRER_PORT", "18095")),
                    Double.parseDouble(environment.getOrDefault("PAYSTREAM_ACQUIRER_APPROVAL_RATE", "0.9")),
                    Duration.ofMillis(Long.parseLong(environment.getOrDefault("PAYSTREAM_ACQUIRER_LATENCY_MS", "50"))),
                    Duration.ofMillis(Long.parseLong(environment.getOrDefault("PAYSTREAM_ACQUIRER_HANG_MS", "30000"))),
                    data == null ? null : Path.of(data),
                    Long.parseLong(environment.getOrDefault("PAYSTREAM_ACQUIRER_SEED",
                            String.valueOf(System.nanoTime()))));
        }
    }

    private final Settings settings;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(16, runnable -> {
        Thread thread = new Thread(runnable, "acquirer-http");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Charge> byKey = new ConcurrentHashMap<>();
    private final Map<String, Charge> byId = new ConcurrentHashMap<>();
    /** chargeId → its refund: one per charge. */
    private final Map<String, Refund> refundsByCharge = new ConcurrentHashMap<>();
    /** Keys whose first answer has hung already (tok_timeout hangs once). */
    private final Map<String, Boolean> hungOnce = new ConcurrentHashMap<>();
    private final Random random;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Clock clock = Clock.systemUTC();
    private BufferedWriter data;
    private BufferedWriter refundData;

    private AcquirerSimulator(Settings settings) throws IOException {
        this.settings = settings;
        this.random = new Random(settings.seed());
        load();
        this.server = HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), settings.port()), 128);
        server.setExecutor(executor);
        server.createContext("/v1/charges", this::charges);
        server.createContext("/healthcheck", exchange -> respond(exchange, 200, JSON.createObjectNode()
                .put("healthy", true)));
        server.createContext("/metrics", exchange -> {
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        for (String outcome : new String[] {"new", "replayed", "conflict", "invalid"}) {
            requests(outcome);
        }
        for (String outcome : new String[] {"new", "replayed", "unknown_charge", "not_refundable"}) {
            refunds(outcome);
        }
    }

    /** Starts listening; {@link #close()} stops. */
    public static AcquirerSimulator start(Settings settings) throws IOException {
        AcquirerSimulator simulator = new AcquirerSimulator(settings);
        simulator.server.start();
        return simulator;
    }

    public static void main(String[] args) throws Exception {
        AcquirerSimulator simulator = start(Settings.fromEnvironment(System.getenv()));
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        System.out.println("acquirer simulator listening on http://127.0.0.1:" + simulator.port());
        Thread.currentThread().join();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void load() throws IOException {
        if (settings.dataFile() == null) {
            return;
        }
        Files.createDirectories(settings.dataFile().toAbsolutePath().getParent());
        if (Files.exists(settings.dataFile())) {
            for (String line : Files.readAllLines(settings.dataFile())) {
                if (!line.isBlank()) {
                    Charge charge = JSON.readValue(line, Charge.class);
                    byKey.put(charge.idempotencyKey(), charge);
                    byId.put(charge.chargeId(), charge);
                }
            }
        }
        data = Files.newBufferedWriter(settings.dataFile(), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Path refunds = refundsFile(settings.dataFile());
        if (Files.exists(refunds)) {
            for (String line : Files.readAllLines(refunds)) {
                if (!line.isBlank()) {
                    Refund refund = JSON.readValue(line, Refund.class);
                    refundsByCharge.put(refund.chargeId(), refund);
                }
            }
        }
        refundData = Files.newBufferedWriter(refunds, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Where the refunds of the charges kept in {@code chargesFile} are kept: beside it, in refunds.jsonl. */
    public static Path refundsFile(Path chargesFile) {
        return chargesFile.toAbsolutePath().resolveSibling("refunds.jsonl");
    }

    /** Every charge made so far. */
    public List<Charge> charges() {
        return List.copyOf(byId.values());
    }

    /** Every refund made so far. */
    public List<Refund> refunds() {
        return List.copyOf(refundsByCharge.values());
    }

    private void charges(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET") && path.startsWith("/v1/charges/")) {
                Charge charge = byId.get(path.substring("/v1/charges/".length()));
                if (charge == null) {
                    respond(exchange, 404, error("not_found", "no such charge", "chargeId"));
                } else {
                    respond(exchange, 200, JSON.valueToTree(charge));
                }
                return;
            }
            if (exchange.getRequestMethod().equals("POST") && path.startsWith("/v1/charges/")
                    && path.endsWith("/refunds")) {
                refund(exchange, path.substring("/v1/charges/".length(), path.length() - "/refunds".length()));
                return;
            }
            if (!exchange.getRequestMethod().equals("POST") || !path.equals("/v1/charges")) {
                respond(exchange, 405, error("method_not_allowed", "POST /v1/charges or GET /v1/charges/{id}",
                        null));
                return;
            }
            create(exchange);
        } catch (RuntimeException e) {
            respond(exchange, 500, error("internal_error", "the simulator failed: " + e.getMessage(), null));
        } finally {
            exchange.close();
        }
    }

    private void create(HttpExchange exchange) throws IOException {
        Timer.Sample sample = Timer.start(registry);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (key == null || key.isEmpty() || key.length() > KEY_LENGTH_MAX) {
            invalid(exchange, "Idempotency-Key", "the Idempotency-Key header is required, 1 to 255 characters");
            return;
        }
        JsonNode body;
        try (InputStream in = exchange.getRequestBody()) {
            body = JSON.readTree(in.readNBytes(16 * 1024));
        } catch (IOException e) {
            invalid(exchange, "body", "the body must be a JSON object");
            return;
        }
        String token = body == null ? null : body.path("token").asText(null);
        JsonNode amountNode = body == null ? null : body.get("amount");
        String currency = body == null ? null : body.path("currency").asText(null);
        String reference = body == null ? null : body.path("reference").asText(null);
        if (token == null || !TOKEN.matcher(token).matches()) {
            invalid(exchange, "token", "token must be tok_ and up to 64 letters, digits or underscores");
            return;
        }
        if (amountNode == null || !amountNode.canConvertToLong() || !amountNode.isIntegralNumber()
                || amountNode.asLong() < 1 || amountNode.asLong() > AMOUNT_MAX) {
            invalid(exchange, "amount", "amount must be an integer of minor units from 1 to 10^15");
            return;
        }
        if (currency == null || !CURRENCY.matcher(currency).matches()) {
            invalid(exchange, "currency", "currency must be an upper-case ISO-4217 code");
            return;
        }
        long amount = amountNode.asLong();
        boolean[] created = new boolean[1];
        Charge charge = byKey.computeIfAbsent(key, k -> {
            created[0] = true;
            return decide(k, token, amount, currency, reference);
        });
        if (!charge.sameRequest(token, amount, currency)) {
            requests("conflict").increment();
            respond(exchange, 409, error("idempotency_conflict", "this Idempotency-Key was used for another "
                    + "charge", "Idempotency-Key"));
            return;
        }
        if (created[0]) {
            sleep(settings.latency());
        }
        if (token.equals("tok_hang") || (token.equals("tok_timeout") && hungOnce.putIfAbsent(key, true) == null)) {
            sleep(settings.hang()); // the client has given up by now; the charge stands
        }
        requests(created[0] ? "new" : "replayed").increment();
        if (!created[0]) {
            exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
        }
        respond(exchange, created[0] ? 201 : 200, JSON.valueToTree(charge));
        sample.stop(Timer.builder("acquirer.request.duration").description("POST /v1/charges, to the answer")
                .publishPercentileHistogram().register(registry));
    }

    /** Gives an approved charge back, once whatever the retries and keys. */
    private void refund(HttpExchange exchange, String chargeId) throws IOException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (key == null || key.isEmpty() || key.length() > KEY_LENGTH_MAX) {
            invalid(exchange, "Idempotency-Key", "the Idempotency-Key header is required, 1 to 255 characters");
            return;
        }
        Charge charge = byId.get(chargeId);
        if (charge == null) {
            refunds("unknown_charge").increment();
            respond(exchange, 404, error("not_found", "no such charge", "chargeId"));
            return;
        }
        if (!"APPROVED".equals(charge.status())) {
            refunds("not_refundable").increment();
            respond(exchange, 409, error("charge_not_refundable", "only an approved charge is refunded", "chargeId"));
            return;
        }
        boolean[] created = new boolean[1];
        Refund refund = refundsByCharge.computeIfAbsent(chargeId, id -> {
            created[0] = true;
            byte[] refundId = new byte[12];
            ThreadLocalRandom.current().nextBytes(refundId);
            Refund made = new Refund("re_" + HexFormat.of().formatHex(refundId), id, key, charge.amount(),
                    charge.currency(), "SUCCEEDED", clock.instant().toString());
            persist(refundData, made);
            return made;
        });
        if (created[0]) {
            sleep(settings.latency());
        } else {
            exchange.getResponseHeaders().set("Idempotent-Replayed", "true");
        }
        refunds(created[0] ? "new" : "replayed").increment();
        respond(exchange, created[0] ? 201 : 200, JSON.valueToTree(refund));
    }

    private Counter refunds(String outcome) {
        return Counter.builder("acquirer.refunds").description("Refund requests, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    /** Decides a new charge and keeps it (on disk first, when configured). */
    private Charge decide(String key, String token, long amount, String currency, String reference) {
        String declineCode = switch (token) {
            case "tok_approve", "tok_timeout", "tok_hang" -> null;
            case "tok_decline" -> "card_declined";
            case "tok_insufficient_funds" -> "insufficient_funds";
            default -> {
                double draw;
                synchronized (random) {
                    draw = random.nextDouble();
                }
                yield draw < settings.approvalRate() ? null : "do_not_honor";
            }
        };
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        Charge charge = new Charge("ch_" + HexFormat.of().formatHex(id), key, token, amount, currency, reference,
                declineCode == null ? "APPROVED" : "DECLINED", declineCode, clock.instant().toString());
        persist(charge);
        byId.put(charge.chargeId(), charge);
        Counter.builder("acquirer.charges").description("Charges decided, by status and decline code")
                .tag("status", charge.status().toLowerCase(Locale.ROOT))
                .tag("decline_code", declineCode == null ? "none" : declineCode).register(registry).increment();
        return charge;
    }

    private void persist(Charge charge) {
        persist(data, charge);
    }

    /** Appends one line to {@code file} and flushes it, before the answer that depends on it is given. */
    private void persist(BufferedWriter file, Object line) {
        if (file == null) {
            return;
        }
        try {
            synchronized (this) {
                file.write(JSON.writeValueAsString(line));
                file.newLine();
                file.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + line, e);
        }
    }

    private Counter requests(String outcome) {
        return Counter.builder("acquirer.requests").description("Charge requests, by outcome")
                .tag("outcome", outcome).register(registry);
    }

    private void invalid(HttpExchange exchange, String param, String message) throws IOException {
        requests("invalid").increment();
        respond(exchange, 422, error("invalid_request", message, param));
    }

    private static ObjectNode error(String code, String message, String param) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("code", code).put("message", message).put("param", param);
        return root;
    }

    private static void respond(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // The client gave up (a timeout): the charge is kept all the same, for its retry.
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        synchronized (this) {
            for (BufferedWriter file : new BufferedWriter[] {data, refundData}) {
                if (file != null) {
                    try {
                        file.close();
                    } catch (IOException e) {
                        // Every line was flushed when it was written.
                    }
                }
            }
        }
    }
}
