package io.paystream.bench;

import io.paystream.schemas.Partitions;
import io.paystream.schemas.Topics;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Drives the pipeline as a direct producer does: Avro requests written straight to the request topics, and the
 * outcome read back as a {@code read_committed} consumer of {@code payments.events.v1} (and of the audit topic for
 * account openings) sees it. Every payment's latency runs from its <em>intended</em> send time, which an open-loop
 * sender sets before it sends, so a stalled sender cannot hide latency (coordinated omission).
 */
final class Payments implements AutoCloseable {
    static final String CURRENCY = "USD";
    static final long TOP_UP = 1_000_000_000_000L;

    private final KafkaProducer<String, byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread watcher;
    private final Map<String, Long> pending = new ConcurrentHashMap<>();
    /** For each payment of an atomic split still pending: how many of its split's payments are still pending. */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> splitOf = new ConcurrentHashMap<>();
    private final Recorder latency = new Recorder(3);
    private final AtomicLong settled = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong accountsOpened = new AtomicLong();
    private final AtomicLong lastSettledNanos = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final List<String> accounts = new ArrayList<>();
    private final List<TopicPartition> auditPartitions = new ArrayList<>();
    /** The audit topic is read only while accounts are being opened: decoding it otherwise would load the bench. */
    private volatile boolean watchAudit;
    /** Set by the watcher once it reads the audit topic from its current end. */
    private volatile boolean auditWatched;
    private volatile boolean closed;
    /** The partition count of the batch topic, read once, when the first batch is sent. */
    private int batchPartitions;

    Payments(String bootstrapServers) {
        Properties producerProperties = new Properties();
        producerProperties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        producerProperties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        producer = new KafkaProducer<>(producerProperties, new StringSerializer(), new ByteArraySerializer());
        Properties consumerProperties = new Properties();
        consumerProperties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerProperties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProperties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        consumer = new KafkaConsumer<>(consumerProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.PAYMENT_EVENTS.name(), Topics.AUDIT.name())) {
            consumer.partitionsFor(topic, Duration.ofSeconds(30))
                    .forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // resolve the end now: only what is sent from here on counts
        partitions.stream().filter(partition -> partition.topic().equals(Topics.AUDIT.name()))
                .forEach(auditPartitions::add);
        consumer.pause(auditPartitions);
        watcher = new Thread(this::watch, "bench-outcomes");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void watch() {
        var events = Topics.PAYMENT_EVENTS.valueSerde().deserializer();
        var audit = Topics.AUDIT.valueSerde().deserializer();
        boolean auditPaused = true;
        try {
            while (!closed) {
                if (watchAudit == auditPaused) {
                    if (watchAudit) {
                        // Nothing about the accounts to open has been sent yet: skip what was written meanwhile.
                        consumer.seekToEnd(auditPartitions);
                        auditPartitions.forEach(consumer::position);
                        consumer.resume(auditPartitions);
                    } else {
                        consumer.pause(auditPartitions);
                    }
                    auditPaused = !watchAudit;
                    auditWatched = watchAudit;
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.nanoTime();
                    if (record.topic().equals(Topics.AUDIT.name())) {
                        AuditRecord entry = audit.deserialize(record.topic(), record.value());
                        if (entry.getKind() == AuditKind.ACCOUNT_OPENED) {
                            accountsOpened.incrementAndGet();
                        }
                        continue;
                    }
                    PaymentEvent event = events.deserialize(record.topic(), record.value());
                    if (event.getStatus() == PaymentStatus.ACCEPTED) {
                        continue;
                    }
                    Long intended = pending.remove(event.getPaymentId());
                    if (intended != null) {
                        // A split's latency runs until its last payment ends: that is when the order is paid.
                        var rest = splitOf.remove(event.getPaymentId());
                        if (rest == null || rest.decrementAndGet() == 0) {
                            latency.recordValue(Math.max(0, now - intended) / 1_000);
                        }
                        settled.incrementAndGet();
                        lastSettledNanos.set(now);
                        if (event.getStatus() == PaymentStatus.COMPLETED) {
                            completed.incrementAndGet();
                        }
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    /** Opens {@code count} accounts and tops each up; returns their ids once every top-up has completed. */
    List<String> openAccounts(String prefix, int count, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        watchAudit = true;
        await(() -> auditWatched, deadline, "the audit topic to be watched");
        long openedBefore = accountsOpened.get();
        List<String> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = prefix + i;
            ids.add(id);
            AccountRequest open = AccountRequest.newBuilder().setRequestId("open-" + id).setAccountId(id)
                    .setCommand(AccountCommandType.OPEN).setCurrency(CURRENCY).setAccountType(AccountType.CUSTOMER)
                    .setOverdraftLimit(0L).build();
            var unused = producer.send(new ProducerRecord<>(Topics.ACCOUNT_REQUESTS.name(), id,
                    Topics.ACCOUNT_REQUESTS.valueSerde().serializer().serialize("", open)));
        }
        producer.flush();
        // A top-up before the account's opening would be rejected (the two reach the ledger on different paths).
        await(() -> accountsOpened.get() - openedBefore >= count, deadline, "accounts opened");
        watchAudit = false;
        long completedBefore = completed.get();
        for (String id : ids) {
            send(PaymentRequest.newBuilder().setPaymentId(UUID.randomUUID().toString()).setType(PaymentType.TOPUP)
                    .setTo(id).setAmount(TOP_UP).setCurrency(CURRENCY).build(), System.nanoTime());
        }
        producer.flush();
        await(() -> pending.isEmpty(), deadline, "top-ups settled");
        if (completed.get() - completedBefore != count) {
            throw new IllegalStateException((completed.get() - completedBefore) + " of " + count
                    + " top-ups completed");
        }
        synchronized (accounts) {
            accounts.addAll(ids);
        }
        latency.reset();
        return ids;
    }

    /** Sends one transfer between two random open accounts, timed from {@code intendedNanos}; returns its id. */
    String transfer(long intendedNanos) {
        return transfer(intendedNanos, randomPair());
    }

    /** Sends one transfer from {@code pair[0]} to {@code pair[1]}, timed from {@code intendedNanos}; returns its id. */
    String transfer(long intendedNanos, String[] pair) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String id = new UUID(random.nextLong(), random.nextLong()).toString();
        send(PaymentRequest.newBuilder().setPaymentId(id).setType(PaymentType.TRANSFER).setFrom(pair[0])
                .setTo(pair[1]).setAmount(1 + random.nextInt(100)).setCurrency(CURRENCY).build(), intendedNanos);
        return id;
    }

    /**
     * Sends {@code pairs} as one batch, written as the ingress writes a batch: one {@code PaymentBatch} record per
     * partition its payers fall on, keyed by the payer of the record's first payment. Each payment is timed from
     * {@code intendedNanos}.
     */
    void transferBatch(long intendedNanos, List<String[]> pairs) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String batchId = new UUID(random.nextLong(), random.nextLong()).toString();
        if (batchPartitions == 0) {
            batchPartitions = producer.partitionsFor(Topics.PAYMENT_BATCHES.name()).size();
        }
        Map<Integer, List<PaymentRequest>> shares = new java.util.TreeMap<>();
        for (int index = 0; index < pairs.size(); index++) {
            String[] pair = pairs.get(index);
            PaymentRequest payment = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(PaymentType.TRANSFER).setFrom(pair[0]).setTo(pair[1])
                    .setAmount(1 + random.nextInt(100)).setCurrency(CURRENCY).setBatchId(batchId).setBatchIndex(index)
                    .build();
            shares.computeIfAbsent(Partitions.of(pair[0], batchPartitions), partition -> new ArrayList<>())
                    .add(payment);
        }
        for (List<PaymentRequest> share : shares.values()) {
            share.forEach(payment -> pending.put(payment.getPaymentId(), intendedNanos));
            PaymentBatch record = PaymentBatch.newBuilder().setBatchId(batchId).setSize(pairs.size())
                    .setPayments(share).build();
            var unused = producer.send(new ProducerRecord<>(Topics.PAYMENT_BATCHES.name(), share.get(0).getFrom(),
                    Topics.PAYMENT_BATCHES.valueSerde().serializer().serialize("", record)), (metadata, exception) -> {
                        if (exception != null) {
                            failure.compareAndSet(null, exception);
                        }
                    });
        }
    }

    /**
     * Sends an atomic split: {@code payer} pays each of {@code payees} {@code amount}, every leg or none, as one
     * atomic batch record (one payer: one share, whose task coordinates), keyed as the ingress keys it. Its latency,
     * from {@code intendedNanos}, runs until its last payment's terminal event.
     */
    void atomicSplit(long intendedNanos, String payer, List<String> payees, long amount) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String batchId = new UUID(random.nextLong(), random.nextLong()).toString();
        List<PaymentRequest> legs = new ArrayList<>();
        var rest = new java.util.concurrent.atomic.AtomicInteger(payees.size());
        for (int index = 0; index < payees.size(); index++) {
            PaymentRequest leg = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(PaymentType.TRANSFER).setFrom(payer).setTo(payees.get(index)).setAmount(amount)
                    .setCurrency(CURRENCY).setBatchId(batchId).setBatchIndex(index).setBatchSize(payees.size())
                    .build();
            splitOf.put(leg.getPaymentId(), rest);
            pending.put(leg.getPaymentId(), intendedNanos);
            legs.add(leg);
        }
        PaymentBatch record = PaymentBatch.newBuilder().setBatchId(batchId).setSize(payees.size()).setPayments(legs)
                .setAtomic(true).setCoordinator(payer).build();
        var unused = producer.send(new ProducerRecord<>(Topics.PAYMENT_BATCHES.name(), payer,
                Topics.PAYMENT_BATCHES.valueSerde().serializer().serialize("", record)), (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    }
                });
    }

    /** Two different open accounts, payer first, chosen at random. */
    String[] randomPair() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        synchronized (accounts) {
            int a = random.nextInt(accounts.size());
            int b = (a + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
            return new String[] {accounts.get(a), accounts.get(b)};
        }
    }

    /**
     * The hot-account workload: half the transfers pay {@code merchant}, from a random other account; the rest are
     * {@link #randomPair}s that do not involve it.
     */
    String[] hotPair(String merchant) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            String[] pair = randomPair();
            if (random.nextBoolean()) {
                if (!pair[0].equals(merchant)) {
                    return new String[] {pair[0], merchant};
                }
            } else if (!pair[0].equals(merchant) && !pair[1].equals(merchant)) {
                return pair;
            }
        }
    }

    /** One open account, chosen at random. */
    String randomAccount() {
        synchronized (accounts) {
            return accounts.get(ThreadLocalRandom.current().nextInt(accounts.size()));
        }
    }

    private void send(PaymentRequest request, long intendedNanos) {
        pending.put(request.getPaymentId(), intendedNanos);
        // Keyed as the ingress keys it: by the account the first leg moves, whose task then decides it in one step.
        var unused2 = producer.send(new ProducerRecord<>(Topics.PAYMENT_REQUESTS.name(),
                PaymentRequestRules.firstLegAccount(request),
                Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize("", request)), (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    }
                });
    }

    void flush() {
        producer.flush();
    }

    /** Waits until every payment sent so far has a terminal event; false if {@code limit} passed first. */
    boolean awaitSettled(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        producer.flush();
        while (!pending.isEmpty() && System.nanoTime() < deadline) {
            checkFailure();
            TimeUnit.MILLISECONDS.sleep(20);
        }
        checkFailure();
        return pending.isEmpty();
    }

    /** True when none of {@code ids} is still waiting for its terminal event. */
    boolean allSettled(Collection<String> ids) {
        for (String id : ids) {
            if (pending.containsKey(id)) {
                return false;
            }
        }
        return true;
    }

    /** Latencies (microseconds) recorded since the last call. */
    Histogram takeLatency() {
        return latency.getIntervalHistogram();
    }

    long settled() {
        return settled.get();
    }

    long completed() {
        return completed.get();
    }

    int pendingCount() {
        return pending.size();
    }

    long lastSettledNanos() {
        return lastSettledNanos.get();
    }

    List<String> accounts() {
        synchronized (accounts) {
            return List.copyOf(accounts);
        }
    }

    private void await(BooleanSupplier done, long deadline, String what)
            throws InterruptedException {
        while (!done.getAsBoolean()) {
            checkFailure();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private void checkFailure() {
        if (failure.get() != null) {
            throw new IllegalStateException("the benchmark's producer or consumer failed", failure.get());
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        consumer.wakeup();
        watcher.join(10_000);
        producer.close(Duration.ofSeconds(10));
        consumer.close(Duration.ofSeconds(5));
    }
}
