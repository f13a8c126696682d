package io.paystream.local.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.schemas.Topic;
import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.testing.LedgerInvariants;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The Jepsen-style checker, run once the workload stopped and the pipeline went quiet. It reads every topic with
 * {@code read_committed}, replays the committed ledger topic through the production rules, and returns every violation
 * it finds as sentences: open transactions; the shared {@link LedgerInvariants} (one terminal status per payment,
 * matching the query API; no leg applied twice; conservation; no overdraft; a journal that rebuilds every balance with
 * gapless entrySeq; holds; refunds; every account state the journal records); hash chains; one balance event per
 * monitor crossing ({@link io.paystream.testing.BalanceMonitorCheck}); query-API balances that differ from the
 * replay; refunds the query API serves
 * otherwise than their events say; accepted requests that left no trace; and what the concurrent
 * {@link QueryReaders} were served that the committed topics contradict.
 */
final class Checker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final String queryUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** How many events of each status the last check read, for the report. */
    private final Map<PaymentStatus, Long> outcomes = new java.util.TreeMap<>();
    /** REJECTED(CARD_DECLINED) events in the last check: card top-ups the acquirer declined. */
    private volatile long cardDeclined;

    /** The acquirer whose books the card charges are reconciled with. */
    private final java.util.function.Supplier<io.paystream.acquirer.AcquirerSimulator> acquirer;

    Checker(String bootstrapServers, String queryUrl,
            java.util.function.Supplier<io.paystream.acquirer.AcquirerSimulator> acquirer) {
        this.bootstrapServers = bootstrapServers;
        this.queryUrl = queryUrl;
        this.acquirer = acquirer;
    }

    List<String> check(Collection<String> accounts, Set<String> accepted, QueryReaders readers) throws Exception {
        List<String> violations = new ArrayList<>();
        checkNoOpenTransactions(violations);
        Snapshot snapshot = consistentSnapshot(violations);
        List<PaymentEvent> events = snapshot.events();
        List<AuditRecord> audits = snapshot.audits();
        Set<String> requested = snapshot.requested();
        Map<String, AccountState> replayed = snapshot.accounts();
        // The shared invariants, over the committed ledger state, with statuses as the query API serves them. Holds
        // keep expiring after the workload stops, so the query API may be ahead of the snapshot: a payment the
        // snapshot shows AUTHORIZED may be served as having ended since.
        Set<String> openInSnapshot = openAuthorizations(events);
        violations.addAll(LedgerInvariants.violations(events, audits, new ArrayList<>(replayed.values()),
                paymentId -> {
                    PaymentStatus served = servedStatus(paymentId);
                    return openInSnapshot.contains(paymentId) && served != null
                            && PaymentStatuses.isTerminal(served) ? PaymentStatus.AUTHORIZED : served;
                }));
        checkAcceptedPayments(events, accepted, requested, violations);
        // Every account's movements form an unbroken hash chain, whatever was killed while they were written.
        io.paystream.processor.journal.JournalVerifier.verify(io.paystream.schemas.JournalChain.chainsOf(audits))
                .firstBreak()
                .ifPresent(broken -> violations.add("journal hash chain broken: " + broken));
        // Every balance monitor fired exactly once per crossing the journal shows, whatever was killed in between.
        violations.addAll(io.paystream.testing.BalanceMonitorCheck.violations(audits,
                new ArrayList<>(replayed.values()), snapshot.balanceEvents()));
        monitors = replayed.values().stream().mapToInt(account -> account.getMonitors().size()).sum();
        crossings = snapshot.balanceEvents().size();
        atomicMoved = checkAtomicBatches(events, snapshot.atomicBatches(), violations);
        atomicBatches = snapshot.atomicBatches().size();
        // Every approved charge credited once or refunded once, whatever was killed in between.
        io.paystream.acquirer.AcquirerSimulator books = acquirer.get();
        if (books != null) {
            violations.addAll(io.paystream.testing.ChargeReconciliation.violations(books.charges().stream()
                    .map(charge -> new io.paystream.testing.ChargeReconciliation.Charge(charge.reference(),
                            charge.chargeId(), charge.status().equals("APPROVED"))).toList(),
                    books.refunds().stream().map(io.paystream.acquirer.Refund::chargeId).toList(), events, audits));
            refundedCharges = books.refunds().size();
        }
        checkServedRefunds(events, violations);
        synchronized (outcomes) {
            outcomes.clear();
            events.forEach(event -> outcomes.merge(event.getStatus(), 1L, Long::sum));
            cardDeclined = events.stream().filter(event -> event.getReason()
                    == io.paystream.schemas.avro.RejectionReason.CARD_DECLINED).count();
        }
        violations.addAll(readers.violations(audits, events));
        for (String accountId : accounts) {
            JsonNode served = get("/v1/accounts/" + accountId);
            AccountState model = replayed.get(accountId);
            long servedBalance = served == null ? 0 : served.get("balance").asLong();
            long servedSeq = served == null ? 0 : served.get("entrySeq").asLong();
            if (servedBalance != (model == null ? 0 : model.getBalance())
                    || servedSeq != (model == null ? 0 : model.getEntrySeq())) {
                violations.add("account " + accountId + ": the query API serves balance " + servedBalance
                        + " at entrySeq " + servedSeq + ", the committed accounts changelog holds "
                        + (model == null ? "no account" : model.getBalance() + " at entrySeq " + model.getEntrySeq()));
            }
        }
        return violations;
    }

    /**
     * What the checker reads: every committed event, journal entry and request id, and every account as the ledger's
     * store committed it (its changelog), at one cut.
     */
    private record Snapshot(List<PaymentEvent> events, List<AuditRecord> audits, Set<String> requested,
            Map<String, AccountState> accounts, Map<String, Integer> atomicBatches,
            List<io.paystream.schemas.avro.BalanceEvent> balanceEvents) {
    }

    /** The processor's consumer group: its application.id (config.yml's default, which the local stack keeps). */
    private static final String PROCESSOR_GROUP = "paystream-processor";
    /** The ledger's {@code accounts} store, as it commits it. */
    private static final String ACCOUNTS_CHANGELOG = PROCESSOR_GROUP + "-accounts-changelog";

    /**
     * Reads the topics at a consistent cut. Holds keep expiring after the workload stops (a TICK, then its releases),
     * so a changelog read after the journal could hold a release that the journal read missed. The cut is consistent
     * when the ledger's inputs read (the ledger topic and the requests, whose first legs the ledger applies in
     * intake's step) had all been processed (the processor's committed offsets, read first, are past them, so their
     * outputs were committed before the reads began) and no topic's committed end moved while they were read. Tries
     * again, bounded, until both hold.
     */
    private Snapshot consistentSnapshot(List<String> violations) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Map<TopicPartition, Long> processed = processedOffsets();
            Map<TopicPartition, Long> before = endOffsets("read_committed");
            List<PaymentEvent> events = values(Topics.PAYMENT_EVENTS, read(Topics.PAYMENT_EVENTS.name()));
            List<AuditRecord> audits = values(Topics.AUDIT, read(Topics.AUDIT.name()));
            List<ConsumerRecord<byte[], byte[]>> requests = read(Topics.PAYMENT_REQUESTS.name());
            // By the value's payment id: the ingress keys a request by the account its first leg moves.
            Set<String> requested = new HashSet<>();
            values(Topics.PAYMENT_REQUESTS, requests).forEach(request -> requested.add(request.getPaymentId()));
            // A batch's payments are requested by its records, one per partition of their payers.
            List<ConsumerRecord<byte[], byte[]>> batches = read(Topics.PAYMENT_BATCHES.name());
            Map<String, Integer> atomic = new HashMap<>();
            values(Topics.PAYMENT_BATCHES, batches).forEach(batch -> {
                batch.getPayments().forEach(payment -> requested.add(payment.getPaymentId()));
                if (batch.getAtomic()) {
                    atomic.put(batch.getBatchId(), batch.getSize());
                }
            });
            List<io.paystream.schemas.avro.BalanceEvent> balanceEvents = values(Topics.BALANCE_EVENTS,
                    read(Topics.BALANCE_EVENTS.name()));
            List<ConsumerRecord<byte[], byte[]>> ledger = read(Topics.LEDGER.name());
            Map<String, AccountState> accounts = committedAccounts(read(ACCOUNTS_CHANGELOG));
            Map<TopicPartition, Long> after = endOffsets("read_committed");
            boolean allProcessed = java.util.stream.Stream.of(ledger, requests, batches).flatMap(List::stream)
                    .allMatch(record -> processed.getOrDefault(
                            new TopicPartition(record.topic(), record.partition()), 0L) > record.offset());
            if (before.equals(after) && allProcessed) {
                return new Snapshot(events, audits, requested, accounts, atomic, balanceEvents);
            }
            if (attempt == 30) {
                violations.add("no consistent cut of the topics in 30 attempts: the processor did not go quiet");
                return new Snapshot(events, audits, requested, accounts, atomic, balanceEvents);
            }
            TimeUnit.SECONDS.sleep(2);
        }
    }

    /** The processor's committed offsets on the ledger's inputs: how far its ledger tasks have processed. */
    private Map<TopicPartition, Long> processedOffsets() throws Exception {
        Properties properties = new Properties();
        properties.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(properties)) {
            Map<TopicPartition, Long> processed = new HashMap<>();
            admin.listConsumerGroupOffsets(PROCESSOR_GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((partition, offset) -> {
                        if ((partition.topic().equals(Topics.LEDGER.name())
                                || partition.topic().equals(Topics.PAYMENT_REQUESTS.name())
                                || partition.topic().equals(Topics.PAYMENT_BATCHES.name())) && offset != null) {
                            processed.put(partition, offset.offset());
                        }
                    });
            return processed;
        }
    }

    /**
     * Every account as the ledger committed it: the last value of each key in the {@code accounts} store's changelog.
     * The journal's replay and the query API are checked against it. (Before intake moved into the ledger's task, the
     * checker rebuilt this state by replaying the ledger topic; first legs no longer cross that topic.)
     */
    private static Map<String, AccountState> committedAccounts(List<ConsumerRecord<byte[], byte[]>> changelog) {
        Map<String, AccountState> accounts = new HashMap<>();
        var serde = io.paystream.schemas.serde.AvroSerde.of(AccountState.class);
        for (ConsumerRecord<byte[], byte[]> record : changelog) {
            String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
            if (record.value() == null) {
                accounts.remove(key);
            } else {
                accounts.put(key, serde.deserializer().deserialize(ACCOUNTS_CHANGELOG, record.value()));
            }
        }
        return accounts;
    }

    /** The payments whose events in {@code events} leave an authorization open. */
    private static Set<String> openAuthorizations(List<PaymentEvent> events) {
        Set<String> open = new HashSet<>();
        for (PaymentEvent event : events) {
            if (event.getStatus() == PaymentStatus.AUTHORIZED) {
                open.add(event.getPaymentId());
            } else if (PaymentStatuses.isTerminal(event.getStatus())) {
                open.remove(event.getPaymentId());
            }
        }
        return open;
    }

    private void checkNoOpenTransactions(List<String> violations) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        Map<TopicPartition, Long> committed = Map.of();
        Map<TopicPartition, Long> written = Map.of();
        while (Instant.now().isBefore(deadline)) {
            committed = endOffsets("read_committed");
            written = endOffsets("read_uncommitted");
            if (committed.equals(written)) {
                return;
            }
            TimeUnit.SECONDS.sleep(1);
        }
        for (Map.Entry<TopicPartition, Long> end : written.entrySet()) {
            if (!end.getValue().equals(committed.get(end.getKey()))) {
                violations.add("open transaction on " + end.getKey() + ": committed end " + committed.get(end.getKey())
                        + ", end " + end.getValue());
            }
        }
    }

    /**
     * Every payment a client was told was accepted left a request record and reached a terminal status; and no
     * payment was ACCEPTED twice, which only a request decided twice (a resubmission whose fingerprint intake forgot)
     * can cause: the ledger's per-leg command ids would still keep its money from moving twice, so this is the check
     * that sees the first guard fail on its own.
     */
    private static void checkAcceptedPayments(List<PaymentEvent> events, Set<String> accepted, Set<String> requested,
            List<String> violations) {
        Map<String, Long> acceptances = events.stream().filter(e -> e.getStatus() == PaymentStatus.ACCEPTED)
                .collect(java.util.stream.Collectors.groupingBy(PaymentEvent::getPaymentId,
                        java.util.stream.Collectors.counting()));
        acceptances.forEach((paymentId, times) -> {
            if (times > 1) {
                violations.add("payment " + paymentId + " was ACCEPTED " + times + " times: its request was decided "
                        + "more than once");
            }
        });
        Set<String> finished = new HashSet<>();
        events.stream().filter(e -> e.getStatus() != PaymentStatus.ACCEPTED)
                .forEach(e -> finished.add(e.getPaymentId()));
        for (String paymentId : accepted) {
            if (!requested.contains(paymentId)) {
                violations.add("accepted payment " + paymentId + " has no request record");
            }
            if (!finished.contains(paymentId)) {
                violations.add("accepted payment " + paymentId + " never reached a terminal status");
            }
        }
    }

    /**
     * Every atomic batch moved all of its payments or none: each payment of it has a terminal status (so no hold of it
     * is left open), and either every one COMPLETED (or REVERSED, when its payee changed after voting and its money
     * went back), or every one was REJECTED. Returns how many of them moved.
     */
    private static int checkAtomicBatches(List<PaymentEvent> events, Map<String, Integer> batches,
            List<String> violations) {
        Map<String, PaymentStatus> terminal = new HashMap<>();
        for (PaymentEvent event : events) {
            if (PaymentStatuses.isTerminal(event.getStatus()) && event.getActionId() == null) {
                terminal.putIfAbsent(event.getPaymentId(), event.getStatus());
            }
        }
        int[] whole = {0};
        batches.forEach((batchId, size) -> {
            Map<PaymentStatus, Integer> ends = new java.util.TreeMap<>();
            for (int index = 0; index < size; index++) {
                PaymentStatus end = terminal.get(io.paystream.schemas.BatchIds.paymentId(batchId, index));
                if (end == null) {
                    violations.add("atomic batch " + batchId + ": payment " + index + " has no terminal status (its "
                            + "hold, if placed, is still open)");
                } else {
                    ends.merge(end, 1, Integer::sum);
                }
            }
            boolean moved = ends.containsKey(PaymentStatus.COMPLETED) || ends.containsKey(PaymentStatus.REVERSED);
            boolean refused = ends.keySet().stream()
                    .anyMatch(end -> end != PaymentStatus.COMPLETED && end != PaymentStatus.REVERSED);
            if (moved && refused) {
                violations.add("atomic batch " + batchId + " moved some payments and not others: " + ends);
            }
            whole[0] += moved && !refused ? 1 : 0;
        });
        return whole[0];
    }

    private volatile int atomicBatches;
    private volatile int atomicMoved;
    private volatile int monitors;
    private volatile int crossings;

    /** Balance monitors in the committed account states at the last check. */
    int monitors() {
        return monitors;
    }

    /** Balance events (one per crossing) the last check read. */
    int crossings() {
        return crossings;
    }

    /** Atomic batches the last check read. */
    int atomicBatches() {
        return atomicBatches;
    }

    /** How many of them moved every payment. */
    int atomicMoved() {
        return atomicMoved;
    }

    /** Approved charges the acquirer refunded because their payee could not take the credit, at the last check. */
    private volatile long refundedCharges;

    /** Approved charges refunded, as the last check read them. */
    long refundedCharges() {
        return refundedCharges;
    }

    /** Card top-ups the acquirer declined, as the last check read them. */
    long cardDeclined() {
        return cardDeclined;
    }

    /** The events of each status the last check read. */
    Map<PaymentStatus, Long> outcomes() {
        synchronized (outcomes) {
            return Map.copyOf(outcomes);
        }
    }

    /**
     * Every refund's end as the committed events say it (SUCCEEDED, FAILED, or PENDING while none came) is what the
     * query API serves for it, and the payment's refundedAmount is the sum of its SUCCEEDED refunds.
     */
    private void checkServedRefunds(List<PaymentEvent> events, List<String> violations) throws Exception {
        Map<String, Map<String, String>> ends = new java.util.LinkedHashMap<>();
        Map<String, Long> refunded = new HashMap<>();
        for (PaymentEvent event : events) {
            String end = switch (event.getStatus()) {
                case REFUND_PENDING -> "PENDING";
                case REFUND_SUCCEEDED -> "SUCCEEDED";
                case REFUND_FAILED -> "FAILED";
                default -> null;
            };
            if (end == null || event.getReason() == io.paystream.schemas.avro.RejectionReason.UNKNOWN_PAYMENT) {
                continue; // a refund intake could not tie to a payment is not one of the payment's refunds
            }
            ends.computeIfAbsent(event.getPaymentId(), id -> new java.util.TreeMap<>())
                    .merge(event.getActionId(), end, (earlier, later) -> earlier.equals("PENDING") ? later : earlier);
            if (event.getStatus() == PaymentStatus.REFUND_SUCCEEDED) {
                refunded.merge(event.getPaymentId(), event.getAmount(), Long::sum);
            }
        }
        for (Map.Entry<String, Map<String, String>> payment : ends.entrySet()) {
            JsonNode served = get("/v1/payments/" + payment.getKey());
            if (served == null) {
                continue; // a refund of a payment nobody knows: its REFUND_FAILED is all there is
            }
            Map<String, String> servedEnds = new java.util.TreeMap<>();
            served.path("refunds").forEach(r -> servedEnds.put(r.get("actionId").asText(), r.get("status").asText()));
            if (!servedEnds.equals(payment.getValue())
                    || served.path("refundedAmount").asLong() != refunded.getOrDefault(payment.getKey(), 0L)) {
                violations.add("payment " + payment.getKey() + ": the query API serves refunds " + servedEnds
                        + " and refundedAmount " + served.path("refundedAmount").asLong() + ", the events say "
                        + payment.getValue() + " and " + refunded.getOrDefault(payment.getKey(), 0L));
            }
        }
    }

    private PaymentStatus servedStatus(String paymentId) {
        try {
            JsonNode payment = get("/v1/payments/" + paymentId);
            if (payment == null) {
                return null;
            }
            String status = payment.get("status").asText();
            return status.equals("PROCESSING") ? PaymentStatus.ACCEPTED : PaymentStatus.valueOf(status);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read payment " + paymentId + " from the query API", e);
        }
    }

    private JsonNode get(String path) throws Exception {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(queryUrl + path))
                    .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer local-dev-key").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return JSON.readTree(response.body());
            }
            if (response.statusCode() == 404) {
                return null;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new IllegalStateException("the query API did not answer " + path + " within 60 s");
    }

    private <V> List<V> values(Topic<String, V> topic, List<ConsumerRecord<byte[], byte[]>> records) {
        List<V> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            values.add(topic.valueSerde().deserializer().deserialize(topic.name(), record.value()));
        }
        return values;
    }

    /** Every committed record of the topic, each partition in offset order. */
    private List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Instant deadline = Instant.now().plusSeconds(120);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 120 s");
                }
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
            records.sort(java.util.Comparator.comparing((ConsumerRecord<byte[], byte[]> r) -> r.partition())
                    .thenComparing(ConsumerRecord::offset));
            return records;
        }
    }

    private Map<TopicPartition, Long> endOffsets(String isolation) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(isolation)) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<String> names = new ArrayList<>(Topics.ALL.stream().map(Topic::name).toList());
            names.add(ACCOUNTS_CHANGELOG);
            for (String name : names) {
                for (PartitionInfo info : consumer.partitionsFor(name)) {
                    partitions.add(new TopicPartition(name, info.partition()));
                }
            }
            return new HashMap<>(consumer.endOffsets(partitions));
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, "chaos-checker-" + UUID.randomUUID());
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
