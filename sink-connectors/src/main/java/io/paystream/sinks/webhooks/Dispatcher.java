package io.paystream.sinks.webhooks;

import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.webhooks.EndpointRegistry;
import io.paystream.webhooks.UrlPolicy;
import io.paystream.webhooks.WebhookSignature;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends queued deliveries. One thread claims due deliveries from PostgreSQL; each is checked against the URL policy
 * again (DNS may have changed since registration), signed, and POSTed asynchronously, so that no thread waits on an
 * endpoint. Attempts in flight are bounded per task and, through the claim, per endpoint: a slow or dead endpoint
 * holds at most a few slots, and its failures only push its own deliveries back.
 *
 * <p>The outcome of each attempt is recorded before its slot is freed. A delivery whose attempts are exhausted is
 * written to {@code webhooks.dlq.v1} (acknowledged by Kafka) before it is marked DEAD, and its endpoint is disabled.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final String USER_AGENT = "PayStream-Webhooks/1.0";
    /** How long past the request timeout a lease lasts: time to record the outcome. */
    private static final Duration LEASE_SLACK = Duration.ofSeconds(30);
    private static final Duration BACKLOG_EVERY = Duration.ofSeconds(5);
    /** How often ended deliveries past their retention are looked for, and how many go in one statement. */
    private static final Duration RETENTION_EVERY = Duration.ofMinutes(10);
    private static final int RETENTION_BATCH = 10_000;

    private final Deliveries deliveries;
    private final EndpointRegistry registry;
    private final Producer<byte[], byte[]> producer;
    private final RetrySchedule schedule;
    private final UrlPolicy urls;
    private final Duration requestTimeout;
    private final int maxInFlight;
    private final int maxInFlightPerEndpoint;
    private final Duration pollInterval;
    private final String leasedBy;
    private final CloseableHttpClient http;
    /** Each attempt in flight holds one: the client is blocking, and at most maxInFlight attempts run at once. */
    private final ExecutorService senders;
    private final ExecutorService recorder = Executors.newFixedThreadPool(2, daemon("webhook-recorder"));
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object signal = new Object();
    private final Thread loop;
    private volatile boolean running = true;
    private long nextBacklogAt;
    private long nextRetentionAt;
    private final Duration retention;

    Dispatcher(Deliveries deliveries, EndpointRegistry registry, Producer<byte[], byte[]> producer,
            WebhookConfig config, String leasedBy) {
        this.deliveries = Objects.requireNonNull(deliveries, "deliveries");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.producer = Objects.requireNonNull(producer, "producer");
        this.schedule = config.retries();
        this.urls = new UrlPolicy(config.allowLoopback());
        this.requestTimeout = config.requestTimeout();
        this.maxInFlight = config.maxInFlight();
        this.maxInFlightPerEndpoint = config.maxInFlightPerEndpoint();
        this.pollInterval = config.pollInterval();
        this.leasedBy = Objects.requireNonNull(leasedBy, "leasedBy");
        this.http = httpClient(new CheckedDnsResolver(urls), maxInFlight, maxInFlightPerEndpoint, requestTimeout);
        this.senders = Executors.newFixedThreadPool(maxInFlight, daemon("webhook-sender"));
        this.nextBacklogAt = System.nanoTime();
        this.retention = config.retention();
        this.nextRetentionAt = System.nanoTime();
        this.loop = new Thread(this::run, "webhook-dispatcher-" + leasedBy);
        this.loop.setDaemon(true);
    }

    /**
     * The deliveries' HTTP client. The connection resolves the host through {@code resolver} and connects only to
     * the addresses it passed. It never follows a redirect, which would lead past the URL check, and never retries on
     * its own: the schedule does.
     */
    static CloseableHttpClient httpClient(CheckedDnsResolver resolver, int maxInFlight, int maxInFlightPerEndpoint,
            Duration requestTimeout) {
        Duration connectTimeout = requestTimeout.compareTo(Duration.ofSeconds(5)) < 0 ? requestTimeout
                : Duration.ofSeconds(5);
        return HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setDnsResolver(resolver)
                        .setMaxConnTotal(maxInFlight)
                        .setMaxConnPerRoute(maxInFlightPerEndpoint)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(connectTimeout.toMillis()))
                                .setSocketTimeout(Timeout.ofMilliseconds(requestTimeout.toMillis()))
                                .build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(Timeout.ofMilliseconds(requestTimeout.toMillis()))
                        .setConnectionRequestTimeout(Timeout.ofMilliseconds(requestTimeout.toMillis()))
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .setUserAgent(USER_AGENT)
                .build();
    }

    void start() {
        int released = deliveries.releaseLeases(leasedBy);
        if (released > 0) {
            LOG.info("{} deliveries were in flight when this task last stopped; sending them again", released);
        }
        loop.start();
    }

    /** New deliveries were queued: look now rather than at the next poll. */
    void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void run() {
        while (running) {
            try {
                int free = maxInFlight - inFlight.get();
                List<Deliveries.Claimed> claimed = free <= 0 ? List.of()
                        : deliveries.claim(leasedBy, requestTimeout.plus(LEASE_SLACK), free, maxInFlightPerEndpoint);
                claimed.forEach(this::dispatch);
                if (System.nanoTime() - nextRetentionAt > 0) {
                    int forgotten = deliveries.forget(retention, RETENTION_BATCH);
                    if (forgotten > 0) {
                        LOG.info("deleted {} webhook deliveries that ended more than {} ago", forgotten, retention);
                    }
                    // A full batch means more are due: look again at the next turn, not in ten minutes.
                    nextRetentionAt = System.nanoTime()
                            + (forgotten == RETENTION_BATCH ? 0 : RETENTION_EVERY.toNanos());
                }
                if (System.nanoTime() - nextBacklogAt > 0) {
                    WebhookMetrics.backlog(deliveries.backlog());
                    nextBacklogAt = System.nanoTime() + BACKLOG_EVERY.toNanos();
                }
                if (claimed.isEmpty() || claimed.size() == free) {
                    pause();
                }
            } catch (RuntimeException e) {
                LOG.warn("the webhook dispatcher cannot reach PostgreSQL; retrying: {}", e.toString());
                pause();
            }
        }
    }

    /** Waits for the poll interval or a signal, whichever comes first: an early wake-up only polls sooner. */
    @SuppressWarnings("WaitNotInLoop")
    private void pause() {
        synchronized (signal) {
            try {
                signal.wait(pollInterval.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    /** The end of one attempt: an HTTP status, or why there was none. */
    record Result(Integer status, String outcome, String error, long durationMs) {
        boolean succeeded() {
            return status != null && status >= 200 && status < 300;
        }
    }

    private void dispatch(Deliveries.Claimed delivery) {
        inFlight.incrementAndGet();
        Optional<WebhookEndpoint> found = registry.get(delivery.endpointId());
        if (found.isEmpty()) {
            // Deleted, or registered so recently that another task queued it before this one read it: read up to
            // date before deciding, off the claiming thread.
            recorder.execute(() -> finish(() -> {
                if (caughtUp() && registry.get(delivery.endpointId()).isPresent()) {
                    deliveries.release(delivery, leasedBy);
                } else {
                    deliveries.cancelled(delivery, leasedBy);
                }
            }));
            return;
        }
        WebhookEndpoint endpoint = found.get();
        if (endpoint.getStatus() == WebhookEndpointStatus.DISABLED) {
            recorder.execute(() -> finish(() -> deadLetter(delivery, endpoint, new Result(null, "disabled",
                    "the endpoint is disabled" + (endpoint.getDisabledReason() == null ? ""
                            : ": " + endpoint.getDisabledReason()), 0))));
            return;
        }
        long started = System.nanoTime();
        // The URL's form is checked here; its host, on the connection itself (CheckedDnsResolver), so that the
        // address checked is the address connected to.
        Optional<String> refusal = urls.refusalOfForm(endpoint.getUrl());
        var unused = (refusal.isPresent() ? CompletableFuture.completedFuture(new Result(null, "refused",
                "url " + refusal.get(), elapsedMs(started))) : send(delivery, endpoint, started))
                .exceptionally(failure -> new Result(null, "network_error", String.valueOf(failure),
                        elapsedMs(started)))
                .thenAcceptAsync(result -> finish(() -> record(delivery, endpoint, result)), recorder);
    }

    private CompletableFuture<Result> send(Deliveries.Claimed delivery, WebhookEndpoint endpoint, long started) {
        long now = System.currentTimeMillis();
        List<String> secrets = new ArrayList<>(2);
        secrets.add(endpoint.getSecret());
        if (endpoint.getPreviousSecret() != null && endpoint.getPreviousSecretExpiresAtMs() != null
                && endpoint.getPreviousSecretExpiresAtMs() > now) {
            secrets.add(endpoint.getPreviousSecret());
        }
        HttpPost request = new HttpPost(endpoint.getUrl());
        request.setHeader(WebhookSignature.EVENT_ID_HEADER, delivery.eventId());
        request.setHeader(WebhookSignature.EVENT_TYPE_HEADER, delivery.eventType());
        request.setHeader("PayStream-Delivery-Attempt", Integer.toString(delivery.attempt()));
        request.setHeader(WebhookSignature.HEADER, WebhookSignature.header(secrets, now / 1000, delivery.payload()));
        request.setEntity(new StringEntity(delivery.payload(), ContentType.APPLICATION_JSON));
        return CompletableFuture.supplyAsync(() -> post(request, started), senders);
    }

    /** One attempt, blocking a sender thread until the answer or the timeout. */
    private Result post(HttpPost request, long started) {
        try {
            int status = http.execute(request, response -> {
                EntityUtils.consume(response.getEntity());
                return response.getCode();
            });
            boolean succeeded = status >= 200 && status < 300;
            return new Result(status, succeeded ? "succeeded" : "http_error",
                    succeeded ? null : "the endpoint answered " + status, elapsedMs(started));
        } catch (CheckedDnsResolver.RefusedAddressException e) {
            return new Result(null, "refused", "url " + e.getMessage(), elapsedMs(started));
        } catch (SocketTimeoutException e) {
            return new Result(null, "timeout", "no answer within " + requestTimeout.toMillis() + " ms",
                    elapsedMs(started));
        } catch (ConnectException e) {
            return new Result(null, "network_error", "connection refused or unreachable", elapsedMs(started));
        } catch (IOException e) {
            return new Result(null, "network_error", String.valueOf(e), elapsedMs(started));
        }
    }

    private void record(Deliveries.Claimed delivery, WebhookEndpoint endpoint, Result result) {
        WebhookMetrics.attempt(result.outcome(), Duration.ofMillis(result.durationMs()));
        if (result.succeeded()) {
            deliveries.delivered(delivery, leasedBy, result.status(), result.durationMs());
            return;
        }
        Optional<Duration> retryIn = schedule.delayAfter(delivery.attempt());
        if (retryIn.isPresent()) {
            LOG.info("webhook {} to endpoint {} failed (attempt {}): {}; next attempt in {} ms", delivery.eventId(),
                    delivery.endpointId(), delivery.attempt(), result.error(), retryIn.get().toMillis());
            deliveries.retry(delivery, leasedBy, result.status(), result.error(), result.durationMs(),
                    retryIn.get());
        } else {
            deadLetter(delivery, endpoint, result);
        }
    }

    /** Writes the event to the DLQ, then ends the delivery DEAD and disables the endpoint. */
    private void deadLetter(Deliveries.Claimed delivery, WebhookEndpoint endpoint, Result result) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("paystream.webhook.endpoint", utf8(delivery.endpointId()));
        headers.add("paystream.webhook.event.id", utf8(delivery.eventId()));
        headers.add("paystream.webhook.event.type", utf8(delivery.eventType()));
        headers.add("paystream.webhook.attempts", utf8(Integer.toString(delivery.attempt())));
        headers.add("paystream.webhook.error", utf8(String.valueOf(result.error())));
        try {
            producer.send(new ProducerRecord<>(Topics.WEBHOOK_DEAD_LETTERS.name(), null, utf8(delivery.endpointId()),
                    utf8(delivery.payload()), headers)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Not acknowledged: leave the delivery leased; it is claimed again when the lease expires.
            LOG.warn("cannot dead-letter webhook {} to endpoint {}; it stays pending: {}", delivery.eventId(),
                    delivery.endpointId(), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (!deliveries.dead(delivery, leasedBy, result.status(), result.error(), result.durationMs())) {
            return;
        }
        WebhookMetrics.deadLettered();
        LOG.warn("webhook {} to endpoint {} was dead-lettered after {} attempts: {}", delivery.eventId(),
                delivery.endpointId(), delivery.attempt(), result.error());
        if (endpoint.getStatus() == WebhookEndpointStatus.ENABLED) {
            disable(endpoint, "event " + delivery.eventId() + " failed " + delivery.attempt() + " attempts: "
                    + result.error());
        }
    }

    private void disable(WebhookEndpoint endpoint, String reason) {
        WebhookEndpoint disabled = WebhookEndpoint.newBuilder(endpoint).setStatus(WebhookEndpointStatus.DISABLED)
                .setDisabledReason(reason.length() > 500 ? reason.substring(0, 500) : reason)
                .setUpdatedAtMs(EndpointRegistry.nextVersionAt(endpoint, System.currentTimeMillis())).build();
        try {
            producer.send(new ProducerRecord<>(Topics.WEBHOOK_ENDPOINTS.name(), utf8(endpoint.getEndpointId()),
                    Topics.WEBHOOK_ENDPOINTS.valueSerde().serializer().serialize(Topics.WEBHOOK_ENDPOINTS.name(),
                            disabled))).get(30, TimeUnit.SECONDS);
            registry.applyWritten(endpoint.getEndpointId(), disabled);
            WebhookMetrics.endpointDisabled();
            LOG.warn("webhook endpoint {} is disabled: {}", endpoint.getEndpointId(), reason);
        } catch (Exception e) {
            LOG.warn("cannot disable webhook endpoint {}: {}", endpoint.getEndpointId(), e.toString());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean caughtUp() {
        try {
            return registry.awaitCaughtUp(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code recording}; whatever happens, frees the slot and wakes the loop. */
    private void finish(Runnable recording) {
        try {
            recording.run();
        } catch (RuntimeException e) {
            // The lease stays; when it expires the delivery is claimed and sent again (with the same event id).
            LOG.warn("cannot record a webhook attempt; the delivery will be sent again: {}", e.toString());
        } finally {
            inFlight.decrementAndGet();
            wake();
        }
    }

    private static long elapsedMs(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops claiming, and gives attempts in flight {@code grace} to finish; the rest are sent again later. */
    @Override
    public void close() {
        running = false;
        wake();
        try {
            loop.join(5_000);
            long deadline = System.nanoTime() + requestTimeout.toNanos();
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        senders.shutdownNow();
        try {
            http.close();
        } catch (IOException e) {
            LOG.warn("closing the webhook HTTP client failed: {}", e.toString());
        }
        recorder.shutdown();
        try {
            recorder.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
