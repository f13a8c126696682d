package io.paystream.processor.journal;

import io.paystream.schemas.JournalChain;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AuditRecord;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Verifies the journal's hash chains ({@link JournalChain}): from its PostgreSQL copy ({@code ledger_entries}) or from
 * the journal topic itself ({@code payments.audit.v1}). For each account it checks that the hashed movements follow
 * one another (entrySeq one more, prevHash the previous hash, hash what the fields give) and reports the first broken
 * link, naming the entry; then it prints each account's head and one head for the whole journal (SHA-256 of every
 * account's head in account order), which an operator can publish elsewhere and compare later.
 *
 * <pre>
 * java -cp 'streams-processor/target/streams-processor-0.1.0-SNAPSHOT.jar:streams-processor/target/lib/*' \
 *     io.paystream.processor.journal.JournalVerifier postgres jdbc:postgresql://127.0.0.1:15432/postgres postgres
 * java -cp ... io.paystream.processor.journal.JournalVerifier kafka 127.0.0.1:9092
 * </pre>
 *
 * {@code make verify-journal} runs both against {@code make run}'s stack.
 * <pre>
 * </pre>
 *
 * Exits 0 when every chain holds, 1 at the first break, 2 on bad arguments.
 */
public final class JournalVerifier {
    private JournalVerifier() {
    }

    /** What a verification found. */
    public record Result(int accounts, long entries, Optional<String> firstBreak, Map<String, String> heads) {
        /** SHA-256 of {@code accountId:head} lines in account order: one value that pins the whole journal. */
        public String journalHead() {
            StringBuilder text = new StringBuilder();
            heads.forEach((account, head) -> text.append(account).append(':').append(head).append('\n'));
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(text.toString().getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has SHA-256", e);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        // Without a configuration, logback prints every client's DEBUG lines: only what the verifier says matters.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        if (args.length < 2 || !List.of("postgres", "kafka").contains(args[0])) {
            System.err.println("usage: JournalVerifier postgres <jdbc-url> [user]  |  JournalVerifier kafka "
                    + "<bootstrap-servers>");
            System.exit(2);
        }
        Result result = args[0].equals("postgres")
                ? fromPostgres(args[1], args.length > 2 ? args[2] : "postgres")
                : fromKafka(args[1]);
        print(result, args[0].equals("postgres") ? "ledger_entries" : Topics.AUDIT.name(), System.out);
        System.exit(result.firstBreak().isPresent() ? 1 : 0);
    }

    /** Prints what {@code result} found in {@code source}. */
    public static void print(Result result, String source, PrintStream out) {
        out.printf("verified %d entries of %d accounts in %s%n", result.entries(), result.accounts(), source);
        if (result.firstBreak().isPresent()) {
            out.println("BROKEN: " + result.firstBreak().get());
            return;
        }
        out.println("every chain holds");
        out.println("journal head: " + result.journalHead() + "  (publish it; a later run that prints another head "
                + "over the same entries means the journal changed)");
    }

    /** Verifies the chains of the journal's PostgreSQL copy. */
    public static Result fromPostgres(String jdbcUrl, String user) throws SQLException {
        Map<String, List<JournalChain.Entry>> chains = new TreeMap<>();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, "");
                PreparedStatement query = connection.prepareStatement("SELECT account_id, entry_seq, kind, payment_id, "
                        + "amount, currency, balance_after, created_at, action_id, prev_hash, hash FROM ledger_entries "
                        + "ORDER BY account_id, entry_seq");
                ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                JournalChain.Entry entry = new JournalChain.Entry(rows.getString(1), rows.getLong(2), rows.getString(3),
                        rows.getString(4), rows.getLong(5), rows.getString(6), rows.getLong(7),
                        rows.getTimestamp(8).getTime(), rows.getString(9), rows.getString(10), rows.getString(11));
                chains.computeIfAbsent(entry.accountId(), account -> new ArrayList<>()).add(entry);
            }
        }
        return verify(chains);
    }

    /** Verifies the chains of the journal topic, read from its start to its current end (read_committed). */
    public static Result fromKafka(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        var deserializer = Topics.AUDIT.valueSerde().deserializer();
        List<AuditRecord> journal = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.AUDIT.name(), Duration.ofSeconds(30))
                    .stream().map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    AuditRecord audit = deserializer.deserialize(record.topic(), record.value());
                    if (audit != null) {
                        journal.add(audit);
                    }
                }
            }
        }
        // Sorted by entrySeq, which also reveals a reordered copy; one account's movements share a partition anyway.
        Map<String, List<JournalChain.Entry>> chains = JournalChain.chainsOf(journal);
        return verify(chains);
    }

    /** Verifies the chains of each account's movements, given in entrySeq order. */
    public static Result verify(Map<String, List<JournalChain.Entry>> chains) {
        Map<String, String> heads = new TreeMap<>();
        long entries = 0;
        for (Map.Entry<String, List<JournalChain.Entry>> chain : chains.entrySet()) {
            entries += chain.getValue().size();
            Optional<String> broken = JournalChain.firstBreak(chain.getValue());
            if (broken.isPresent()) {
                return new Result(chains.size(), entries, broken, heads);
            }
            String head = chain.getValue().get(chain.getValue().size() - 1).hash();
            if (head != null) {
                heads.put(chain.getKey(), head);
            }
        }
        return new Result(chains.size(), entries, Optional.empty(), heads);
    }
}
