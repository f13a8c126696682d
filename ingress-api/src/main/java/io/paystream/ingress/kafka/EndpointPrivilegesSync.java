package io.paystream.ingress.kafka;

import io.dropwizard.lifecycle.Managed;
import io.paystream.ingress.core.EndpointPrivileges;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.webhooks.EndpointRegistry;
import io.paystream.web.auth.ApiClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the webhook registrations in line with the keys this ingress was started with
 * ({@link EndpointPrivileges}), once the registry has read them all: in the background, so that the ingress serves
 * at once, and with bounded retries while Kafka is not reachable.
 */
public final class EndpointPrivilegesSync implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(EndpointPrivilegesSync.class);
    /** How long one attempt waits for the registry, and how many attempts are made before giving up loudly. */
    private static final Duration CATCH_UP = Duration.ofSeconds(30);
    private static final int ATTEMPTS = 10;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final EndpointRegistry registry;
    private final CommandPublisher publisher;
    private final List<ApiClient> clients;
    private final Clock clock;
    private Thread worker;

    public EndpointPrivilegesSync(EndpointRegistry registry, CommandPublisher publisher, List<ApiClient> clients,
            Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.clients = List.copyOf(clients);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void start() {
        worker = new Thread(this::run, "webhook-endpoint-privileges");
        worker.setDaemon(true);
        worker.start();
    }

    private void run() {
        for (int attempt = 1; attempt <= ATTEMPTS && !Thread.currentThread().isInterrupted(); attempt++) {
            try {
                if (registry.awaitCaughtUp(CATCH_UP)) {
                    List<WebhookEndpoint> changes = EndpointPrivileges.changes(registry.all(), clients, clock.millis());
                    for (WebhookEndpoint change : changes) {
                        publisher.publish(Topics.WEBHOOK_ENDPOINTS, change.getEndpointId(), change)
                                .get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                        registry.applyWritten(change.getEndpointId(), change);
                    }
                    if (!changes.isEmpty()) {
                        LOG.info("{} webhook endpoints brought in line with their clients' keys", changes.size());
                    }
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.warn("cannot bring the webhook endpoints in line with the keys yet (attempt {} of {}): {}",
                        attempt, ATTEMPTS, e.toString());
            }
        }
        LOG.error("the webhook endpoints were not brought in line with the configured keys; an endpoint may still "
                + "receive what its client's old keys allowed until the next start");
    }

    @Override
    public void stop() {
        if (worker != null) {
            worker.interrupt();
        }
    }
}
