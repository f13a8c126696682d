package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.anAccountRequest;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.ledger.BalanceMonitorRules;
import io.paystream.processor.testing.Fixtures;
import io.paystream.processor.testing.Pipeline;
import io.paystream.schemas.validation.MonitorIds;
import io.paystream.testing.BalanceMonitorCheck;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.BalanceField;
import io.paystream.schemas.avro.BalanceMonitor;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.avro.ThresholdOperator;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Balance monitors through the whole topology: evaluated by the ledger as the balance changes, one
 * balance.threshold_crossed event per crossing and the next only after crossing back, idempotent and bounded.
 */
class BalanceMonitorsTest {
    private Pipeline pipeline;
    private int payments;

    @BeforeEach
    void start() {
        pipeline = new Pipeline();
        pipeline.send(anOpen("alice", "USD", AccountType.CUSTOMER).build());
        pipeline.send(anOpen("bob", "USD", AccountType.CUSTOMER).build());
        pay(aTopUp("alice", 1_000));
    }

    @AfterEach
    void close() {
        pipeline.close();
    }

    private void pay(io.paystream.schemas.avro.PaymentRequest.Builder payment) {
        pipeline.send(payment.setPaymentId(Fixtures.paymentId("monitored:" + payments++)).build());
    }

    private static String monitorId(String accountId, long unique) {
        return MonitorIds.of(ByteBuffer.allocate(8).putLong(unique).array(), accountId);
    }

    private static AccountRequest add(String monitorId, BalanceField field, ThresholdOperator operator, long amount) {
        String accountId = MonitorIds.accountOf(monitorId).orElseThrow();
        return anAccountRequest(AccountCommandType.ADD_MONITOR, accountId).setRequestId("add:" + monitorId)
                .setClientId("tests").setMonitor(BalanceMonitor.newBuilder().setMonitorId(monitorId)
                        .setClientId("tests").setField(field).setOperator(operator).setAmount(amount).build())
                .build();
    }

    private BalanceMonitor monitor(String accountId, String monitorId) {
        return pipeline.account(accountId).getMonitors().stream().filter(m -> m.getMonitorId().equals(monitorId))
                .findFirst().orElse(null);
    }

    private List<AuditRecord> journalOf(String accountId, AuditKind kind) {
        return pipeline.audits().stream().filter(a -> a.getAccountId().equals(accountId) && a.getKind() == kind)
                .toList();
    }

    /** The invariants, and the check the chaos runs make: one event per crossing, by the journal. */
    private void assertOnePerCrossing() {
        pipeline.assertInvariantsHold();
        assertThat(BalanceMonitorCheck.violations(pipeline.audits(), pipeline.accounts(), pipeline.balanceEvents()))
                .isEmpty();
    }

    @Test
    void aCrossingEmitsOneEventAndTheNextOnlyAfterTheBalanceCrossedBack() {
        String low = monitorId("alice", 1);
        pipeline.send(add(low, BalanceField.BALANCE, ThresholdOperator.LT, 500));
        pay(aTransfer("alice", "bob", 300)); // 700
        assertThat(pipeline.balanceEvents()).isEmpty();
        pay(aTransfer("alice", "bob", 300)); // 400: crosses
        pay(aTransfer("alice", "bob", 50)); // 350: still below, no new event
        assertThat(pipeline.balanceEvents()).hasSize(1);
        BalanceEvent first = pipeline.balanceEvents().get(0);
        assertThat(first.getType()).isEqualTo(BalanceMonitorRules.THRESHOLD_CROSSED);
        assertThat(first.getEventId()).isEqualTo(low + ":1");
        assertThat(first.getValue()).isEqualTo(400);
        assertThat(first.getThreshold()).isEqualTo(500);
        assertThat(first.getCrossing()).isEqualTo(1);
        assertThat(first.getPaymentId()).isEqualTo(Fixtures.paymentId("monitored:2"));
        assertThat(first.getStateSeq()).as("the state that crossed, as the journal numbers it")
                .isEqualTo(journalOf("alice", AuditKind.DEBIT).get(1).getState().getStateSeq());

        pay(aTopUp("alice", 500)); // 850: back above, re-armed without an event
        assertThat(monitor("alice", low).getMet()).isFalse();
        pay(aTransfer("alice", "bob", 400)); // 450: crosses again
        assertThat(pipeline.balanceEvents()).extracting(BalanceEvent::getCrossing).containsExactly(1L, 2L);
        assertThat(monitor("alice", low).getCrossings()).isEqualTo(2);
        assertThat(monitor("alice", low).getMet()).isTrue();
        assertOnePerCrossing();
    }

    @Test
    void anAvailableMonitorCrossesOnAHoldAndAMonitorAlreadyMetWaitsForTheNextCrossing() {
        String available = monitorId("alice", 2);
        String high = monitorId("alice", 3);
        pipeline.send(add(available, BalanceField.AVAILABLE, ThresholdOperator.LTE, 600));
        pipeline.send(add(high, BalanceField.BALANCE, ThresholdOperator.GTE, 1_000)); // met already: no event
        assertThat(monitor("alice", high).getMet()).isTrue();
        pay(aTransfer("alice", "bob", 450).setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(600L));
        assertThat(pipeline.account("alice").getBalance()).as("a hold moves no balance").isEqualTo(1_000);
        assertThat(pipeline.balanceEvents()).singleElement().satisfies(event -> {
            assertThat(event.getMonitorId()).isEqualTo(available);
            assertThat(event.getValue()).isEqualTo(550);
        });
        pay(aTransfer("alice", "bob", 10)); // 990: the balance monitor re-arms
        pay(aTopUp("alice", 10)); // 1000: crosses
        assertThat(pipeline.balanceEvents()).extracting(BalanceEvent::getMonitorId).containsExactly(available, high);
        assertOnePerCrossing();
    }

    @Test
    void addingIsIdempotentBoundedAndRefusedForAnUnknownAccountAndRemovingTwiceIsANoOp() {
        String first = monitorId("alice", 10);
        pipeline.send(add(first, BalanceField.BALANCE, ThresholdOperator.LT, 10));
        pipeline.send(add(first, BalanceField.BALANCE, ThresholdOperator.LT, 10));
        assertThat(pipeline.account("alice").getMonitors()).hasSize(1);
        assertThat(journalOf("alice", AuditKind.MONITOR_ADDED)).hasSize(1);
        // The same id (the same Idempotency-Key) with another body: refused, the first definition stays.
        pipeline.send(AccountRequest.newBuilder(add(first, BalanceField.AVAILABLE, ThresholdOperator.GT, 99))
                .setRequestId("add-again:" + first).build());
        assertThat(journalOf("alice", AuditKind.REJECTION)).singleElement()
                .satisfies(r -> assertThat(r.getReason()).isEqualTo(RejectionReason.IDEMPOTENCY_CONFLICT));
        assertThat(monitor("alice", first).getAmount()).isEqualTo(10);
        for (int i = 1; i < BalanceMonitorRules.PER_ACCOUNT_MAX; i++) {
            pipeline.send(add(monitorId("alice", 10 + i), BalanceField.BALANCE, ThresholdOperator.GT, i));
        }
        pipeline.send(add(monitorId("alice", 99), BalanceField.BALANCE, ThresholdOperator.GT, 1));
        assertThat(pipeline.account("alice").getMonitors()).hasSize(BalanceMonitorRules.PER_ACCOUNT_MAX);
        assertThat(journalOf("alice", AuditKind.REJECTION)).extracting(AuditRecord::getReason)
                .containsExactly(RejectionReason.IDEMPOTENCY_CONFLICT, RejectionReason.NOT_PERMITTED);

        AccountRequest remove = anAccountRequest(AccountCommandType.REMOVE_MONITOR, "alice")
                .setRequestId("remove:" + first).setMonitorId(first).build();
        pipeline.send(remove);
        pipeline.send(AccountRequest.newBuilder(remove).setRequestId("remove-again").build());
        assertThat(monitor("alice", first)).isNull();
        assertThat(journalOf("alice", AuditKind.MONITOR_REMOVED)).singleElement()
                .satisfies(r -> assertThat(r.getDetail()).isEqualTo(first));

        pipeline.send(add(monitorId("nobody", 1), BalanceField.BALANCE, ThresholdOperator.LT, 1));
        assertThat(journalOf("nobody", AuditKind.REJECTION)).singleElement()
                .satisfies(r -> assertThat(r.getReason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND));
        AccountRequest foreign = AccountRequest.newBuilder(add(monitorId("bob", 1), BalanceField.BALANCE,
                ThresholdOperator.LT, 1)).setAccountId("alice").build();
        pipeline.send(foreign);
        assertThat(journalOf("alice", AuditKind.REJECTION)).as("a monitor id of another account is invalid")
                .anySatisfy(r -> assertThat(r.getReason()).isEqualTo(RejectionReason.INVALID_REQUEST));
        assertThat(pipeline.balanceEvents()).isEmpty();
        pipeline.assertInvariantsHold();
    }
}
