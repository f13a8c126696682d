package io.paystream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sink tasks against a real PostgreSQL (zonky): exact rows, idempotent replays, and a database outage. */
class SinkTasksIT {
    static {
        // The tests copy records with Avro's builders, which load the enum classes: the serde tells Avro to trust them.
        io.paystream.schemas.serde.AvroSerde.of(AuditRecord.class);
    }

    private Path dataDirectory;
    private int port;
    private EmbeddedPostgres postgres;
    private long offset;

    @BeforeEach
    void startPostgres() throws Exception {
        dataDirectory = Files.createTempDirectory("sink-pg");
        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false).start();
        port = postgres.getPort();
    }

    @AfterEach
    void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private Map<String, String> config(int retries) {
        return Map.of(SinkConfig.JDBC_URL, "jdbc:postgresql://localhost:" + port + "/postgres",
                SinkConfig.JDBC_USER, "postgres", SinkConfig.RETRIES_MAX, String.valueOf(retries),
                SinkConfig.RETRY_BACKOFF_MS, "10");
    }

    private Jdbi jdbi() {
        return Jdbi.create("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }

    private static AuditRecord movement(String account, long seq, AuditKind kind, long amount, long balanceAfter) {
        return AuditRecord.newBuilder().setAuditId("p" + seq + ":" + kind).setKind(kind).setAccountId(account)
                .setPaymentId("00000000-0000-0000-0000-00000000000" + seq).setAmount(amount).setCurrency("USD")
                .setBalanceAfter(balanceAfter).setEntrySeq(seq).setCreatedAtMs(1_000 * seq).build();
    }

    private static AuditRecord owed(String paymentId, AuditKind kind, long amount, long atMs) {
        return AuditRecord.newBuilder().setAuditId(paymentId + ":" + kind).setKind(kind).setAccountId("alice")
                .setPaymentId(paymentId).setPaymentType(PaymentType.TOPUP).setAmount(amount).setCurrency("USD")
                .setReason(io.paystream.schemas.avro.RejectionReason.ACCOUNT_INACTIVE).setDetail("frozen")
                .setCreatedAtMs(atMs).build();
    }

    private static PaymentEvent event(PaymentStatus status, long occurredAtMs) {
        return PaymentEvent.newBuilder().setEventId("p:" + status).setPaymentId("p").setStatus(status)
                .setType(PaymentType.TRANSFER).setFrom("a").setTo("b").setAmount(10).setCurrency("USD")
                .setRequestedAtMs(1).setOccurredAtMs(occurredAtMs).build();
    }

    private List<SinkRecord> records(Object... values) {
        List<SinkRecord> records = new ArrayList<>();
        for (Object value : values) {
            records.add(new SinkRecord("t", 0, null, "k", null, value, offset++));
        }
        return records;
    }

    @Test
    void writesEveryMovementOnceSkipsRejectionsAndKeepsWhatIsOwedToCardholdersEvenWhenReplayed() {
        JournalSinkTask task = new JournalSinkTask();
        task.start(config(3));
        AuditRecord rejection = AuditRecord.newBuilder().setAuditId("p9:REJECTION").setKind(AuditKind.REJECTION)
                .setAccountId("alice").setPaymentId("00000000-0000-0000-0000-000000000009").setAmount(0)
                .setCurrency("USD").setCreatedAtMs(9_000).build();
        AuditRecord hold = AuditRecord.newBuilder(rejection).setAuditId("p3:HOLD").setKind(AuditKind.HOLD)
                .setAmount(100).build();
        String refund = "0b5c3a4e-8e8f-4d0e-9a59-3c1f1c1f2d11";
        List<SinkRecord> batch = records(movement("alice", 1, AuditKind.CREDIT, 500, 500),
                movement("alice", 2, AuditKind.DEBIT, -200, 300), rejection, hold,
                movement("alice", 3, AuditKind.CAPTURE, -100, 200),
                AuditRecord.newBuilder(movement("alice", 4, AuditKind.REFUND, -50, 150)).setActionId(refund).build(),
                AuditRecord.newBuilder(movement("alice", 5, AuditKind.REFUND_REVERSAL, 50, 200)).setActionId(refund)
                        .build(),
                owed("00000000-0000-0000-0000-0000000000c1", AuditKind.CHARGE_REFUND_OWED, 700, 10_000),
                owed("00000000-0000-0000-0000-0000000000c2", AuditKind.CHARGE_REFUND_OWED, 300, 11_000),
                owed("00000000-0000-0000-0000-0000000000c1", AuditKind.CHARGE_REFUNDED, -700, 12_000));

        task.put(batch);
        task.put(batch);

        List<String> owed = jdbi().withHandle(h -> h.createQuery("SELECT payment_id || ':' || amount || ':' || "
                + "(refunded_at IS NOT NULL) FROM card_refunds_owed ORDER BY payment_id").mapTo(String.class).list());
        assertThat(owed).as("c1 refunded, c2 still owed").containsExactly(
                "00000000-0000-0000-0000-0000000000c1:700:true", "00000000-0000-0000-0000-0000000000c2:300:false");

        List<String> rows = jdbi().withHandle(h -> h.createQuery("SELECT account_id || ':' || entry_seq || ':' || "
                + "kind || ':' || amount || ':' || balance_after || ':' || coalesce(action_id, '-') FROM ledger_entries "
                + "ORDER BY entry_seq").mapTo(String.class).list());
        assertThat(rows).as("movements, a capture and a refund among them; not the hold, which moves no balance")
                .containsExactly("alice:1:CREDIT:500:500:-", "alice:2:DEBIT:-200:300:-", "alice:3:CAPTURE:-100:200:-",
                        "alice:4:REFUND:-50:150:" + refund, "alice:5:REFUND_REVERSAL:50:200:" + refund);
    }

    /** A manual capture: AUTHORIZED, then a terminal status; a failed action never replaces the payment's status. */
    @Test
    void anAuthorizationMovesForwardAndAFailedActionChangesNothing() {
        PaymentEventSinkTask task = new PaymentEventSinkTask();
        task.start(config(3));
        PaymentEvent failedVoid = PaymentEvent.newBuilder(event(PaymentStatus.VOID_FAILED, 4))
                .setEventId("p:VOID_FAILED:00000000-0000-0000-0000-000000000001").build();

        task.put(records(event(PaymentStatus.ACCEPTED, 1), event(PaymentStatus.AUTHORIZED, 2)));
        assertThat(statusOfP()).isEqualTo("AUTHORIZED");
        task.put(records(event(PaymentStatus.ACCEPTED, 1), event(PaymentStatus.VOIDED, 3), failedVoid,
                event(PaymentStatus.AUTHORIZED, 2)));
        assertThat(statusOfP()).isEqualTo("VOIDED");
        // A refund's events are about the refund, never the payment's status.
        task.put(records(PaymentEvent.newBuilder(event(PaymentStatus.REFUND_SUCCEEDED, 5))
                .setEventId("p:REFUND_SUCCEEDED:00000000-0000-0000-0000-000000000002").build()));
        assertThat(statusOfP()).isEqualTo("VOIDED");
    }

    private String statusOfP() {
        return jdbi().withHandle(h -> h.createQuery("SELECT status FROM payments WHERE payment_id = 'p'")
                .mapTo(String.class).one());
    }

    @Test
    void keepsTheFirstTerminalStatusOfAPayment() {
        PaymentEventSinkTask task = new PaymentEventSinkTask();
        task.start(config(3));
        PaymentEvent accepted = event(PaymentStatus.ACCEPTED, 1);
        PaymentEvent completed = event(PaymentStatus.COMPLETED, 2);
        PaymentEvent late = event(PaymentStatus.REVERSED, 3);

        task.put(records(accepted, completed));
        task.put(records(accepted, late, completed));

        String status = jdbi().withHandle(h -> h.createQuery("SELECT status FROM payments WHERE payment_id = 'p'")
                .mapTo(String.class).one());
        assertThat(status).isEqualTo("COMPLETED");
    }

    @Test
    void aDatabaseOutageIsRetriedAndLosesNothingOnceTheDatabaseIsBack() throws Exception {
        JournalSinkTask task = new JournalSinkTask();
        task.start(config(5));
        List<SinkRecord> batch = records(movement("bob", 1, AuditKind.CREDIT, 70, 70));
        postgres.close();

        assertThatThrownBy(() -> task.put(batch)).isInstanceOf(RetriableException.class);

        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .setPort(port).start();
        task.put(batch);
        int rows = jdbi().withHandle(h -> h.createQuery("SELECT count(*) FROM ledger_entries")
                .mapTo(Integer.class).one());
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void failsLoudlyOnceTheRetriesAreSpent() throws Exception {
        JournalSinkTask task = new JournalSinkTask();
        task.start(config(1));
        List<SinkRecord> batch = records(movement("carol", 1, AuditKind.CREDIT, 5, 5));
        postgres.close();
        postgres = null;

        assertThatThrownBy(() -> task.put(batch)).isInstanceOf(RetriableException.class);
        assertThatThrownBy(() -> task.put(batch)).isInstanceOf(ConnectException.class)
                .isNotInstanceOf(RetriableException.class).hasMessageContaining("failed 2 times in a row");
    }

    @Test
    void refusesABadJdbcUrlWithAClearMessage() {
        assertThatThrownBy(() -> new SinkConfig(Map.of(SinkConfig.JDBC_URL, "mysql://x")))
                .hasMessageContaining("must be a PostgreSQL JDBC URL");
    }
}
