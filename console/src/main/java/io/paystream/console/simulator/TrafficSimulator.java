package io.paystream.console.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts realistic traffic through the ingress, as a client would: it opens its accounts ({@code sim-001} ...,
 * every fifth a merchant, USD and EUR in turn), tops each up, then sends payments at the asked rate until the time is
 * up or it is stopped. About one request in five is meant to fail, as real traffic does: an overdraft
 * (INSUFFICIENT_FUNDS), an unknown payee (ACCOUNT_NOT_FOUND), a currency that does not match (CURRENCY_MISMATCH),
 * an invalid amount (422 at the ingress), and a retry with the same Idempotency-Key, which must change nothing.
 *
 * <p>One run at a time. At most {@value #IN_FLIGHT_MAX} requests are in flight: a tick that finds none free is
 * counted as skipped rather than queued, so a slow ingress slows the simulator instead of piling up requests.
 */
public final class TrafficSimulator implements AutoCloseable {
    static final int IN_FLIGHT_MAX = 64;
    private static final Logger LOG = LoggerFactory.getLogger(TrafficSimulator.class);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final long TOP_UP_MINOR_UNITS = 1_000_000;

    /**
     * A run's progress: {@code outcomes} counts the ingress's answers by status code (its set-up's opens and top-ups
     * included), and the ticks skipped because {@value #IN_FLIGHT_MAX} requests were in flight.
     */
    public record Status(String runId, String state, SimulatorSettings settings, String startedAt, String endsAt,
            long sent, Map<String, Long> outcomes, Map<String, Long> scenarios) {
        /** Before the first run. */
        public static final Status IDLE = new Status(null, "IDLE", null, null, null, 0, Map.of(), Map.of());
    }

    private final URI ingress;
    private final HttpClient http;
    private final Clock clock;
    private final MeterRegistry registry;
    private final ObjectMapper json = Jackson.newObjectMapper();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "traffic-simulator");
        thread.setDaemon(true);
        return thread;
    });
    private Run current;

    public TrafficSimulator(URI ingress, Clock clock, MeterRegistry registry) {
        this.ingress = Objects.requireNonNull(ingress, "ingress");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
    }

    /** Starts a run with the caller's {@code authorization}, or returns null when one is running. */
    public synchronized Status start(SimulatorSettings settings, String authorization) {
        if (current != null && current.running()) {
            return null;
        }
        current = new Run(settings, authorization);
        current.begin();
        return current.status();
    }

    /** Stops the current run; its status, or null when there never was one. */
    public synchronized Status stop() {
        if (current == null) {
            return null;
        }
        current.end("STOPPED");
        return current.status();
    }

    /** The current or last run's status, or null when there never was one. */
    public synchronized Status status() {
        return current == null ? null : current.status();
    }

    @Override
    public void close() {
        stop();
        scheduler.shutdownNow();
    }

    private final class Run {
        private final String runId = Long.toString(clock.millis(), 36);
        private final SimulatorSettings settings;
        private final String authorization;
        private final Random random = new Random();
        private final Semaphore inFlight = new Semaphore(IN_FLIGHT_MAX);
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong sequence = new AtomicLong();
        private final Map<String, AtomicLong> outcomes = new TreeMap<>();
        private final Map<String, AtomicLong> scenarios = new TreeMap<>();
        private final List<String> accounts = new ArrayList<>();
        private final List<Map.Entry<String, String>> recent = new ArrayList<>();
        private final Instant startedAt = clock.instant();
        private final Instant endsAt;
        private volatile String state = "STARTING";
        private ScheduledFuture<?> ticks;
        private ScheduledFuture<?> deadline;

        Run(SimulatorSettings settings, String authorization) {
            this.settings = settings;
            this.authorization = authorization;
            this.endsAt = startedAt.plusSeconds(settings.durationSeconds());
            for (int i = 1; i <= settings.accounts(); i++) {
                accounts.add(String.format("sim-%03d", i));
            }
        }

        boolean running() {
            return state.equals("STARTING") || state.equals("RUNNING");
        }

        void begin() {
            scheduler.execute(this::setUp);
            deadline = scheduler.schedule(() -> end("FINISHED"), settings.durationSeconds(), TimeUnit.SECONDS);
        }

        /** Opens and tops up the accounts, then starts the ticks. Opening an account that exists changes nothing. */
        private void setUp() {
            List<CompletableFuture<?>> opened = new ArrayList<>();
            for (int i = 0; i < accounts.size(); i++) {
                Map<String, Object> open = new LinkedHashMap<>();
                open.put("accountId", accounts.get(i));
                open.put("currency", currencyOf(i));
                open.put("type", i % 5 == 4 ? "MERCHANT" : "CUSTOMER");
                opened.add(post("/v1/accounts", open, null, "open"));
            }
            CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new)).join();
            // The ledger opens the accounts asynchronously: give it a moment before money moves.
            sleep(Duration.ofSeconds(2));
            List<CompletableFuture<?>> toppedUp = new ArrayList<>();
            for (int i = 0; i < accounts.size(); i++) {
                toppedUp.add(post("/v1/payments", payment("TOPUP", null, accounts.get(i), TOP_UP_MINOR_UNITS,
                        currencyOf(i)), "sim-" + runId + "-topup-" + i, "top-up"));
            }
            CompletableFuture.allOf(toppedUp.toArray(CompletableFuture[]::new)).join();
            synchronized (TrafficSimulator.this) {
                if (!state.equals("STARTING")) {
                    return;
                }
                state = "RUNNING";
                long periodMicros = 1_000_000L / settings.ratePerSecond();
                ticks = scheduler.scheduleAtFixedRate(this::tick, 0, periodMicros, TimeUnit.MICROSECONDS);
            }
        }

        private void tick() {
            if (!state.equals("RUNNING")) {
                return;
            }
            if (!inFlight.tryAcquire()) {
                count(outcomes, "skipped");
                return;
            }
            int roll = random.nextInt(100);
            int a = random.nextInt(accounts.size());
            int b = otherSameCurrency(a);
            String currency = currencyOf(a);
            String key = "sim-" + runId + "-" + sequence.incrementAndGet();
            Map<String, Object> body;
            String scenario;
            if (roll < 6) {
                scenario = "overdraft";
                body = payment("TRANSFER", accounts.get(a), accounts.get(b), TOP_UP_MINOR_UNITS * 50, currency);
            } else if (roll < 10) {
                scenario = "unknown-account";
                body = payment("TRANSFER", accounts.get(a), "sim-unknown", amount(), currency);
            } else if (roll < 14) {
                scenario = "currency-mismatch";
                body = payment("TRANSFER", accounts.get(a), accounts.get(b), amount(),
                        currency.equals("USD") ? "EUR" : "USD");
            } else if (roll < 17) {
                scenario = "invalid";
                body = payment("TRANSFER", accounts.get(a), accounts.get(b), 0, currency);
            } else if (roll < 20 && !recent.isEmpty()) {
                scenario = "retry";
                Map.Entry<String, String> again = recent.get(random.nextInt(recent.size()));
                key = again.getKey();
                body = parse(again.getValue());
            } else {
                boolean merchant = (b % 5) == 4;
                scenario = merchant ? "payment" : "transfer";
                body = payment(merchant ? "PAYMENT" : "TRANSFER", accounts.get(a), accounts.get(b), amount(),
                        currency);
                remember(key, body);
            }
            count(scenarios, scenario);
            sent.incrementAndGet();
            var unused = post("/v1/payments", body, key, scenario).whenComplete((ignored, failure) -> inFlight.release());
        }

        private void remember(String key, Map<String, Object> body) {
            try {
                if (recent.size() >= 100) {
                    recent.remove(0);
                }
                recent.add(Map.entry(key, json.writeValueAsString(body)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> parse(String body) {
            try {
                return json.readValue(body, Map.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Log-normal amounts around 20.00, as card-sized payments are. */
        private long amount() {
            return Math.max(1, Math.min(500_000, Math.round(Math.exp(random.nextGaussian() + Math.log(2_000)))));
        }

        /** Another account of the same currency (every other account is USD, the others EUR). */
        private int otherSameCurrency(int a) {
            int sameCurrency = (accounts.size() - a % 2 + 1) / 2;
            int pick = random.nextInt(sameCurrency - 1);
            int b = a % 2 + 2 * pick;
            return b >= a ? b + 2 : b;
        }

        private CompletableFuture<Void> post(String path, Map<String, Object> body, String idempotencyKey,
                String what) {
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(ingress.resolve(path))
                        .timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", "application/json")
                        .header("Authorization", authorization)
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
                if (idempotencyKey != null) {
                    request.header("Idempotency-Key", idempotencyKey);
                }
                return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                        .handle((response, failure) -> {
                            String outcome = failure != null ? "error" : String.valueOf(response.statusCode());
                            count(outcomes, outcome);
                            Counter.builder("paystream.simulator.requests")
                                    .description("Requests the traffic simulator sent to the ingress, by scenario "
                                            + "and answer (status code, or error)")
                                    .tag("scenario", what).tag("outcome", outcome)
                                    .register(registry).increment();
                            return null;
                        });
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Under the simulator's lock, like the set-up's switch to RUNNING, so that an end is never undone. */
        void end(String how) {
            synchronized (TrafficSimulator.this) {
                if (!running()) {
                    return;
                }
                state = how;
                if (ticks != null) {
                    ticks.cancel(false);
                }
                if (deadline != null) {
                    deadline.cancel(false);
                }
            }
            LOG.info("traffic simulator run {} {} after {} requests", runId, how.toLowerCase(java.util.Locale.ROOT), sent.get());
        }

        Status status() {
            return new Status(runId, state, settings, startedAt.toString(), endsAt.toString(), sent.get(),
                    snapshot(outcomes), snapshot(scenarios));
        }

        private String currencyOf(int index) {
            return index % 2 == 0 ? "USD" : "EUR";
        }
    }

    private static void count(Map<String, AtomicLong> counts, String key) {
        synchronized (counts) {
            counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        }
    }

    private static Map<String, Long> snapshot(Map<String, AtomicLong> counts) {
        synchronized (counts) {
            Map<String, Long> copy = new TreeMap<>();
            counts.forEach((key, value) -> copy.put(key, value.get()));
            return copy;
        }
    }

    private static Map<String, Object> payment(String type, String from, String to, long amount, String currency) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        if (from != null) {
            body.put("from", from);
        }
        body.put("to", to);
        body.put("amount", amount);
        body.put("currency", currency);
        body.put("reference", "simulated");
        return body;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
