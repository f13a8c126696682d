package io.paystream.local.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.processor.ledger.LedgerOutcome;
import io.paystream.processor.ledger.LedgerRules;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
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
import java.util.TreeMap;
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
 * {@code read_committed} and returns every violation of DESIGN.md's invariants it finds, as sentences:
 * open transactions, payments without exactly one terminal status (or whose stored status differs), legs applied twice,
 * conservation per currency, overdrafts, gaps in entrySeq, balances that differ between the query API, the audit
 * journal and a replay of the committed ledger topic through the production rules, and accepted requests that left no
 * trace.
 */
final class Checker {
    private static final Set<AuditKind> MOVEMENTS = Set.of(AuditKind.DEBIT, AuditKind.CREDIT, AuditKind.REVERSAL);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String bootstrapServers;
    private final String queryUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Checker(String bootstrapServers, String queryUrl) {
        this.bootstrapServers = bootstrapServers;
        this.queryUrl = queryUrl;
    }

    List<String> check(Collection<String> accounts, Set<String> accepted) throws Exception {
        List<String> violations = new ArrayList<>();
        checkNoOpenTransactions(violations);
        List<PaymentEvent> events = values(Topics.PAYMENT_EVENTS, read(Topics.PAYMENT_EVENTS.name()));
        List<AuditRecord> audits = values(Topics.AUDIT, read(Topics.AUDIT.name()));
        Set<String> requested = new HashSet<>();
        read(Topics.PAYMENT_REQUESTS.name()).forEach(r -> requested.add(
                new String(r.key(), java.nio.charset.StandardCharsets.UTF_8)));
        Map<String, AccountState> replayed = replayLedger(read(Topics.LEDGER.name()));
        Map<String, JsonNode> served = new TreeMap<>();
        for (String accountId : accounts) {
            JsonNode account = get("/v1/accounts/" + accountId);
            if (account != null) {
                served.put(accountId, account);
            }
        }
        checkTerminalStatuses(events, accepted, requested, violations);
        checkJournal(audits, served, replayed, violations);
        checkConservation(events, served, violations);
        return violations;
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

    private void checkTerminalStatuses(List<PaymentEvent> events, Set<String> accepted, Set<String> requested,
            List<String> violations) throws Exception {
        Map<String, List<PaymentStatus>> terminal = new HashMap<>();
        for (PaymentEvent event : events) {
            List<PaymentStatus> statuses = terminal.computeIfAbsent(event.getPaymentId(), id -> new ArrayList<>());
            if (event.getStatus() != PaymentStatus.ACCEPTED) {
                statuses.add(event.getStatus());
            }
        }
        Set<String> every = new HashSet<>(terminal.keySet());
        every.addAll(accepted);
        for (String paymentId : every) {
            List<PaymentStatus> statuses = terminal.getOrDefault(paymentId, List.of());
            if (statuses.size() != 1) {
                violations.add("payment " + paymentId + " has terminal statuses " + statuses);
                continue;
            }
            if (accepted.contains(paymentId) && !requested.contains(paymentId)) {
                violations.add("accepted payment " + paymentId + " has no request record");
            }
            JsonNode stored = get("/v1/payments/" + paymentId);
            String expected = statuses.get(0).name();
            if (stored == null || !expected.equals(stored.get("status").asText())) {
                violations.add("payment " + paymentId + " ended " + expected + " but the query API says "
                        + (stored == null ? "nothing" : stored.get("status").asText()));
            }
        }
    }

    private void checkJournal(List<AuditRecord> audits, Map<String, JsonNode> served,
            Map<String, AccountState> replayed, List<String> violations) {
        Map<String, Long> journal = new HashMap<>();
        Map<String, Long> lastSeq = new HashMap<>();
        Set<String> legs = new HashSet<>();
        for (AuditRecord audit : audits) {
            if (!MOVEMENTS.contains(audit.getKind())) {
                continue;
            }
            if (!legs.add(audit.getPaymentId() + "/" + audit.getKind())) {
                violations.add("leg applied twice: " + audit.getPaymentId() + " " + audit.getKind());
            }
            long balance = journal.merge(audit.getAccountId(), audit.getAmount(), Math::addExact);
            long seq = lastSeq.merge(audit.getAccountId(), 1L, Long::sum);
            if (audit.getEntrySeq() == null || audit.getEntrySeq() != seq) {
                violations.add("entrySeq gap on " + audit.getAccountId() + ": expected " + seq + ", got "
                        + audit.getEntrySeq());
            }
            if (audit.getBalanceAfter() == null || audit.getBalanceAfter() != balance) {
                violations.add("balanceAfter of " + audit.getAuditId() + " is " + audit.getBalanceAfter()
                        + ", the journal sums to " + balance);
            }
        }
        for (Map.Entry<String, JsonNode> account : served.entrySet()) {
            long api = account.getValue().get("balance").asLong();
            long fromJournal = journal.getOrDefault(account.getKey(), 0L);
            AccountState model = replayed.get(account.getKey());
            long fromReplay = model == null ? 0 : model.getBalance();
            if (api != fromJournal || api != fromReplay) {
                violations.add("balance of " + account.getKey() + ": query API " + api + ", audit journal "
                        + fromJournal + ", ledger replay " + fromReplay);
            }
            if (account.getValue().get("entrySeq").asLong() != lastSeq.getOrDefault(account.getKey(), 0L)) {
                violations.add("entrySeq of " + account.getKey() + " is " + account.getValue().get("entrySeq")
                        + " but the journal has " + lastSeq.getOrDefault(account.getKey(), 0L) + " movements");
            }
            if (model != null && api < -model.getOverdraftLimit()) {
                violations.add("overdraft: " + account.getKey() + " at " + api + " below -"
                        + model.getOverdraftLimit());
            }
        }
    }

    private void checkConservation(List<PaymentEvent> events, Map<String, JsonNode> served, List<String> violations) {
        Map<String, Long> external = new HashMap<>();
        for (PaymentEvent event : events) {
            if (event.getStatus() == PaymentStatus.COMPLETED && event.getType() == PaymentType.TOPUP) {
                external.merge(event.getCurrency(), event.getAmount(), Math::addExact);
            } else if (event.getStatus() == PaymentStatus.COMPLETED && event.getType() == PaymentType.WITHDRAWAL) {
                external.merge(event.getCurrency(), -event.getAmount(), Math::addExact);
            }
        }
        Map<String, Long> balances = new HashMap<>();
        served.values().forEach(account -> balances.merge(account.get("currency").asText(),
                account.get("balance").asLong(), Math::addExact));
        Set<String> currencies = new HashSet<>(external.keySet());
        currencies.addAll(balances.keySet());
        for (String currency : currencies) {
            if (!external.getOrDefault(currency, 0L).equals(balances.getOrDefault(currency, 0L))) {
                violations.add("conservation in " + currency + ": balances sum to " + balances.get(currency)
                        + ", completed top-ups minus withdrawals are " + external.get(currency));
            }
        }
    }

    /** Replays the committed ledger topic, partition by partition in offset order, through the production rules. */
    private Map<String, AccountState> replayLedger(List<ConsumerRecord<byte[], byte[]>> ledger) {
        Map<String, AccountState> accounts = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : ledger) {
            String key = new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
            try {
                LedgerCommand command = Topics.LEDGER.valueSerde().deserializer().deserialize("", record.value());
                LedgerOutcome outcome = LedgerRules.apply(accounts.get(key), command, record.timestamp());
                if (outcome.newState() != null) {
                    accounts.put(key, outcome.newState());
                }
            } catch (RuntimeException e) {
                // The processor dead-letters such a command and leaves the account unchanged; so does the replay.
            }
        }
        return accounts;
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
            for (Topic<?, ?> topic : Topics.ALL) {
                for (PartitionInfo info : consumer.partitionsFor(topic.name())) {
                    partitions.add(new TopicPartition(topic.name(), info.partition()));
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
