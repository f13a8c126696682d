package io.paystream.sinks.webhooks;

import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import io.paystream.webhooks.EndpointRegistry;
import io.paystream.webhooks.WebhookEvent;
import io.paystream.webhooks.WebhookEvents;
import io.paystream.sinks.SinkConfig;
import io.paystream.sinks.SinkDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns notifications into webhook deliveries and sends them.
 *
 * <p>{@code put} maps each notification to its events ({@link WebhookEvents}) and queues one delivery per enabled
 * endpoint that subscribes to the event's type and whose owner owns the account, in PostgreSQL, in one transaction,
 * idempotently: Connect commits the offsets only after {@code put} returned, and a replayed notification finds its
 * deliveries already queued. Nothing is sent from {@code put}; the {@link Dispatcher} sends, retries and
 * dead-letters, so that a slow endpoint never holds the consumer, and a retry schedule of a day costs a row, not a
 * paused partition.
 *
 * <p>Before each batch, the task waits until it has read every endpoint registration written so far: an endpoint
 * registered before a payment is matched against that payment's events.
 */
public final class WebhookSinkTask extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookSinkTask.class);
    private static final Duration REGISTRY_CATCH_UP = Duration.ofSeconds(10);

    private Deliveries deliveries;
    private EndpointRegistry registry;
    private Producer<byte[], byte[]> producer;
    private Dispatcher dispatcher;

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public void start(Map<String, String> properties) {
        WebhookConfig config = new WebhookConfig(properties);
        String name = properties.getOrDefault("name", "paystream-webhooks");
        String identity = name + "-" + config.taskIndex();
        deliveries = new Deliveries(SinkDatabase.connect(new SinkConfig(properties)).jdbi());
        registry = new EndpointRegistry(config.kafka(), identity + "-endpoints");
        registry.onChange(change -> deliveries.endpointChanged(change.endpointId(), change.endpoint(),
                Instant.now()));
        try {
            if (!registry.awaitCaughtUp(Duration.ofMinutes(1))) {
                throw new ConnectException("could not read the webhook endpoint registrations within a minute");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while reading the webhook endpoint registrations", e);
        }
        registry.all().forEach(endpoint -> deliveries.endpointChanged(endpoint.getEndpointId(), endpoint,
                Instant.now()));
        Map<String, Object> producerConfig = config.kafka();
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, identity + "-producer");
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        dispatcher = new Dispatcher(deliveries, registry, producer, config, identity);
        dispatcher.start();
        LOG.info("webhook delivery started as {}: {} endpoints, retries over {}", identity, registry.all().size(),
                config.retries().span());
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        if (records.isEmpty()) {
            return;
        }
        try {
            if (!registry.awaitCaughtUp(REGISTRY_CATCH_UP)) {
                throw new RetriableException("the webhook endpoint registrations are not read up to date yet");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("interrupted while reading the webhook endpoint registrations", e);
        }
        Collection<WebhookEndpoint> endpoints = EndpointRegistry.withinCap(registry.all());
        List<Deliveries.NewDelivery> queued = new ArrayList<>();
        for (SinkRecord record : records) {
            if (record.value() == null) {
                continue;
            }
            List<WebhookEvent> events;
            if (record.value() instanceof Notification notification) {
                events = WebhookEvents.of(notification);
            } else if (record.value() instanceof BalanceEvent balance) {
                events = List.of(WebhookEvents.of(balance));
            } else {
                throw new DataException("expected a Notification or a BalanceEvent at " + record.topic() + "-"
                        + record.kafkaPartition() + "@" + record.kafkaOffset() + ", got "
                        + record.value().getClass().getName() + "; is value.converter.record=notification?");
            }
            for (int index = 0; index < events.size(); index++) {
                WebhookEvent event = events.get(index);
                for (WebhookEndpoint endpoint : endpoints) {
                    if (matches(endpoint, event)) {
                        queued.add(new Deliveries.NewDelivery(endpoint.getEndpointId(), event.id(), event.type(),
                                event.accountId(), record.kafkaPartition(), record.kafkaOffset(), index,
                                event.body()));
                    }
                }
            }
        }
        try {
            int inserted = deliveries.enqueue(queued);
            WebhookMetrics.queued(inserted);
        } catch (JdbiException e) {
            LOG.warn("cannot queue {} webhook deliveries; the batch will be retried: {}", queued.size(),
                    e.toString());
            if (context != null) {
                context.timeout(1_000);
            }
            throw new RetriableException("PostgreSQL refused the webhook deliveries", e);
        }
        if (!queued.isEmpty()) {
            dispatcher.wake();
        }
    }

    /** The endpoint is enabled, subscribes to the event's type, and its owner owns the event's account. */
    static boolean matches(WebhookEndpoint endpoint, WebhookEvent event) {
        if (endpoint.getStatus() != WebhookEndpointStatus.ENABLED) {
            return false;
        }
        if (!endpoint.getEvents().isEmpty() && !endpoint.getEvents().contains(event.type())) {
            return false;
        }
        return endpoint.getAdmin() || endpoint.getOwnedAccountPrefixes().stream()
                .anyMatch(prefix -> event.accountId().startsWith(prefix));
    }

    @Override
    public void stop() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (registry != null) {
            registry.close();
        }
    }
}
