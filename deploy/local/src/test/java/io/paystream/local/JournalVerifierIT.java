package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.journal.JournalVerifier;
import io.paystream.schemas.JournalChain;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.sinks.JournalSinkTask;
import io.paystream.sinks.SinkConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The journal's PostgreSQL copy, written by the real journal sink task into a real PostgreSQL, verified by
 * {@link JournalVerifier}: an intact copy verifies and prints a head; a changed amount, a deleted row and two rows
 * swapped are each found and named. Each case has a database of its own.
 */
class JournalVerifierIT {
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws Exception {
        // The serdes tell Avro to trust the generated classes, which copying a record needs.
        io.paystream.schemas.Topics.AUDIT.valueSerde();
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    /** A fresh database holding the journal copy of two accounts with six chained movements each. */
    private static String journalCopy(String database) throws Exception {
        try (Connection admin = postgres.getPostgresDatabase().getConnection(); Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE " + database);
        }
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
        JournalSinkTask sink = new JournalSinkTask();
        sink.start(Map.of(SinkConfig.JDBC_URL, url, SinkConfig.JDBC_USER, "postgres"));
        List<SinkRecord> records = new ArrayList<>();
        long offset = 0;
        for (String account : List.of("alice", "bob")) {
            String head = null;
            long balance = 0;
            for (int seq = 1; seq <= 6; seq++) {
                long amount = seq % 3 == 0 ? -40 : 100;
                balance += amount;
                AuditRecord movement = JournalChain.link(AuditRecord.newBuilder()
                        .setAuditId(account + ":" + seq).setKind(amount < 0 ? AuditKind.DEBIT : AuditKind.CREDIT)
                        .setAccountId(account).setPaymentId(String.format("00000000-0000-0000-0000-%012d", seq))
                        .setAmount(amount).setCurrency("USD").setBalanceAfter(balance).setEntrySeq((long) seq)
                        .setCreatedAtMs(1_700_000_000_000L + seq).build(), head);
                head = movement.getHash();
                records.add(new SinkRecord("payments.audit.v1", 0, null, account, null, movement, offset++));
            }
        }
        sink.put(records);
        sink.stop();
        return url;
    }

    private static void execute(String url, String... statements) throws Exception {
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
                Statement sql = connection.createStatement()) {
            for (String statement : statements) {
                sql.execute(statement);
            }
        }
    }

    @Test
    void anIntactCopyVerifiesAndPrintsItsHead() throws Exception {
        String url = journalCopy("intact");

        JournalVerifier.Result result = JournalVerifier.fromPostgres(url, "postgres");

        assertThat(result.firstBreak()).isEmpty();
        assertThat(result.entries()).isEqualTo(12);
        assertThat(result.heads()).containsOnlyKeys("alice", "bob");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        JournalVerifier.print(result, "ledger_entries", new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("every chain holds")
                .contains("journal head: " + result.journalHead());
        assertThat(JournalVerifier.fromPostgres(url, "postgres").journalHead()).as("the same entries, the same head")
                .isEqualTo(result.journalHead());
    }

    @Test
    void aChangedAmountIsFoundAndNamed() throws Exception {
        String url = journalCopy("amount");
        execute(url, "UPDATE ledger_entries SET amount = amount + 1000, balance_after = balance_after + 1000 "
                + "WHERE account_id = 'alice' AND entry_seq = 4");

        assertThat(JournalVerifier.fromPostgres(url, "postgres").firstBreak()).hasValueSatisfying(found ->
                assertThat(found).startsWith("account alice entry 4").contains("its fields were changed"));
    }

    @Test
    void aDeletedRowIsFoundAndNamed() throws Exception {
        String url = journalCopy("deleted");
        execute(url, "DELETE FROM ledger_entries WHERE account_id = 'bob' AND entry_seq = 2");

        assertThat(JournalVerifier.fromPostgres(url, "postgres").firstBreak()).hasValueSatisfying(found ->
                assertThat(found).startsWith("account bob entry 3").contains("entries 2 to 2 are missing"));
    }

    @Test
    void twoRowsSwappedAreFoundAndNamed() throws Exception {
        String url = journalCopy("swapped");
        execute(url, "UPDATE ledger_entries SET entry_seq = 1000 WHERE account_id = 'alice' AND entry_seq = 5",
                "UPDATE ledger_entries SET entry_seq = 5 WHERE account_id = 'alice' AND entry_seq = 6",
                "UPDATE ledger_entries SET entry_seq = 6 WHERE account_id = 'alice' AND entry_seq = 1000");

        assertThat(JournalVerifier.fromPostgres(url, "postgres").firstBreak()).hasValueSatisfying(found ->
                assertThat(found).startsWith("account alice entry 5"));
    }
}
