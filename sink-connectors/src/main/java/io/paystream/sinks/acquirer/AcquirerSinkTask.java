package io.paystream.sinks.acquirer;

import io.micrometer.core.instrument.Counter;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AcquirerOperation;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.sinks.metrics.SinkMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Charges each requested card top-up, or refunds the charge of one whose payee could not take the credit, and writes
 * the acquirer's answer, keyed by payment id, to {@code acquirer.results.v1}. Nothing is lost: {@code put} returns
 * only once every answer of the batch is acknowledged by Kafka, so Connect commits offsets past a request only after
 * its answer is written. Nothing is charged or refunded twice: every attempt, in this batch or after a crash and a
 * redelivery, uses the payment id (for a refund, {@code refund:<paymentId>}) as the acquirer's idempotency key, so the
 * acquirer answers the charge or refund it already made. A redelivered request may write its answer twice; the payee's
 * ledger task acts on the first.
 */
public final class AcquirerSinkTask extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(AcquirerSinkTask.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);
    private static final int CHARGES_IN_FLIGHT = 16;

    private AcquirerConfig config;
    private AcquirerClient acquirer;
    private KafkaProducer<String, AcquirerResult> producer;
    /** Charges of one batch are made at once: a slow charge (a timeout and its retry) holds up no other. */
    private ExecutorService charging;

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public void start(Map<String, String> properties) {
        config = new AcquirerConfig(properties);
        acquirer = new AcquirerClient(config.url(), config.apiKey(), config.timeout());
        Map<String, Object> producerConfig = config.kafka();
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerConfig.put(ProducerConfig.CLIENT_ID_CONFIG, properties.getOrDefault("name", "paystream-acquirer")
                + "-results");
        producer = new KafkaProducer<>(producerConfig, Topics.ACQUIRER_RESULTS.keySerde().serializer(),
                Topics.ACQUIRER_RESULTS.valueSerde().serializer());
        charging = Executors.newFixedThreadPool(CHARGES_IN_FLIGHT, runnable -> {
            Thread thread = new Thread(runnable, "acquirer-charge");
            thread.setDaemon(true);
            return thread;
        });
        for (String outcome : new String[] {"approved", "declined", "no_answer", "refunded", "refund_no_answer",
            "refund_refused"}) {
            charges(outcome);
        }
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (SinkRecord record : records) {
            if (record.value() == null) {
                continue;
            }
            if (!(record.value() instanceof AcquirerRequest request)) {
                throw new DataException("expected an AcquirerRequest at " + record.topic() + "-"
                        + record.kafkaPartition() + "@" + record.kafkaOffset()
                        + "; is value.converter.record=acquirer-request?");
            }
            // Each answer is written as soon as it comes, so a quick charge is not held behind a slow one.
            done.add(CompletableFuture.supplyAsync(() -> answer(request), charging).thenAccept(result -> {
                if (result == null) {
                    return;
                }
                try {
                    producer.send(new ProducerRecord<>(Topics.ACQUIRER_RESULTS.name(), result.getPaymentId(),
                            result)).get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new RetriableException("an acquirer answer was not acknowledged by Kafka", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RetriableException("interrupted", e);
                }
            }));
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            // A charge without an answer, or an answer not written: the batch is redelivered, and its charges asked
            // again with the same keys (the acquirer answers those it made already).
            if (context != null) {
                context.timeout(config.backoffMs());
            }
            if (e.getCause() instanceof RetriableException retriable) {
                throw retriable;
            }
            throw new RetriableException("charging the batch failed", e.getCause());
        }
    }

    /**
     * The acquirer's answer to a charge or a refund, asking again (same key) when it gives none; the batch is retried
     * when it never does. Null when the acquirer refuses a refund for good: that is logged and counted, and the money
     * stays owed in the journal for an operator.
     */
    private AcquirerResult answer(AcquirerRequest request) {
        boolean refund = request.getOperation() == AcquirerOperation.REFUND;
        try {
            for (int attempt = 1; attempt <= config.attempts(); attempt++) {
                Optional<AcquirerResult> answer = refund ? acquirer.refund(request) : acquirer.charge(request);
                if (answer.isPresent()) {
                    charges(answer.get().getStatus().name().toLowerCase(Locale.ROOT)).increment();
                    return answer.get();
                }
                charges(refund ? "refund_no_answer" : "no_answer").increment();
                LOG.warn("no answer from the acquirer for the {} of payment {} (attempt {} of {}); asking again with "
                        + "the same idempotency key", refund ? "refund" : "charge", request.getPaymentId(), attempt,
                        config.attempts());
                TimeUnit.MILLISECONDS.sleep(config.backoffMs());
            }
        } catch (AcquirerClient.RefundRefusedException e) {
            charges("refund_refused").increment();
            LOG.error("{}; the charge stays owed to the cardholder (CHARGE_REFUND_OWED) until an operator acts",
                    e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetriableException("interrupted", e);
        }
        throw new RetriableException("the acquirer did not answer for payment " + request.getPaymentId() + " in "
                + config.attempts() + " attempts; the batch will be retried");
    }

    private static Counter charges(String outcome) {
        return Counter.builder("paystream.acquirer.charges").description("Charge and refund requests to the "
                + "acquirer, by outcome (no_answer: a timeout or failure, asked again; refund_refused: a refund the "
                + "acquirer will not make)").tag("outcome", outcome)
                .register(SinkMetrics.registry());
    }

    @Override
    public void stop() {
        if (charging != null) {
            charging.shutdownNow();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
