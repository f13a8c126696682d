package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.ledger.AtomicBatchRules;
import io.paystream.processor.testing.Fixtures;
import io.paystream.processor.testing.Pipeline;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Atomic batches through the whole topology: every payment completes, or none moves. Each case runs with one ledger
 * partition, where the batch's commands are applied in place in one transaction, and with four, where the commands for
 * accounts that hash elsewhere cross the ledger topic as they would between tasks.
 */
class AtomicBatchesTest {
    private Pipeline pipeline;

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private void start(int partitions) {
        pipeline = partitions == 1 ? new Pipeline() : Pipeline.ofPartitions(partitions);
    }

    private void open(String... accounts) {
        for (String account : accounts) {
            pipeline.send(anOpen(account, "USD", AccountType.CUSTOMER).build());
        }
    }

    private void fund(String accountId, long amount) {
        pipeline.send(aTopUp(accountId, amount).setPaymentId(Fixtures.paymentId("fund:" + accountId + ":" + amount))
                .build());
    }

    /** An atomic batch as the ingress writes it when one record carries the whole batch. */
    private static PaymentBatch atomicBatch(String label, PaymentRequest.Builder... payments) {
        String batchId = Fixtures.paymentId("atomic:" + label);
        List<PaymentRequest> items = new ArrayList<>();
        for (int index = 0; index < payments.length; index++) {
            items.add(payments[index].setPaymentId(Fixtures.paymentId("atomic:" + label + ":" + index))
                    .setBatchId(batchId).setBatchIndex(index).setBatchSize(payments.length).build());
        }
        return PaymentBatch.newBuilder().setBatchId(batchId).setClientId("acme").setIdempotencyKey(label)
                .setSize(items.size()).setPayments(items).setAtomic(true).setCoordinator(items.get(0).getFrom())
                .build();
    }

    /** One record of {@code batch} carrying only the payments at {@code indexes}, as one partition's share. */
    private static PaymentBatch share(PaymentBatch batch, int... indexes) {
        List<PaymentRequest> share = new ArrayList<>();
        for (int index : indexes) {
            share.add(batch.getPayments().get(index));
        }
        return PaymentBatch.newBuilder(batch).setPayments(share).build();
    }

    private List<PaymentStatus> statusesOf(PaymentRequest payment) {
        return pipeline.eventsOf(payment.getPaymentId()).stream().map(PaymentEvent::getStatus).toList();
    }

    private double decided(String outcome) {
        var counter = pipeline.registry().find("paystream.atomic.batches").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private void assertNoHoldLeft(String... accounts) {
        for (String account : accounts) {
            assertThat(pipeline.account(account).getHeld()).as("held on %s", account).isZero();
        }
    }

    @ParameterizedTest(name = "{0} ledger partitions")
    @ValueSource(ints = {1, 4})
    void aSplitMovesEveryLegWhenEveryLegCan(int partitions) {
        start(partitions);
        open("buyer", "seller", "platform", "tax");
        fund("buyer", 1_000);
        PaymentBatch split = atomicBatch("order-1", aTransfer("buyer", "seller", 800),
                aTransfer("buyer", "platform", 150), aTransfer("buyer", "tax", 50));

        pipeline.sendBatch(split);

        for (PaymentRequest payment : split.getPayments()) {
            assertThat(statusesOf(payment)).as("payment %d", payment.getBatchIndex())
                    .containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED, PaymentStatus.COMPLETED);
        }
        assertThat(pipeline.account("buyer").getBalance()).isZero();
        assertThat(pipeline.account("seller").getBalance()).isEqualTo(800);
        assertThat(pipeline.account("platform").getBalance()).isEqualTo(150);
        assertThat(pipeline.account("tax").getBalance()).isEqualTo(50);
        assertNoHoldLeft("buyer");
        PaymentState state = pipeline.payment(split.getPayments().get(0).getPaymentId());
        assertThat(state.getBatchAtomic()).isTrue();
        assertThat(state.getHoldExpiresAtMs()).as("a batch's hold has no expiry of its own").isNull();
        List<LedgerCommandType> crossed = pipeline.legs().stream().map(LedgerCommand::getType)
                .filter(type -> type == LedgerCommandType.PREPARE || type == LedgerCommandType.VOTE).toList();
        if (partitions == 1) {
            assertThat(crossed).as("one task: the whole protocol in one transaction").isEmpty();
        } else {
            assertThat(crossed).as("payees on other tasks are asked over the ledger topic").isNotEmpty();
        }
        assertThat(pipeline.notifications()).as("nobody is told of the holds that the decision ended")
                .noneMatch(n -> n.getStatus() == PaymentStatus.AUTHORIZED);
        assertThat(decided("COMPLETED")).isEqualTo(1);
        pipeline.assertInvariantsHold();
    }

    @ParameterizedTest(name = "{0} ledger partitions")
    @ValueSource(ints = {1, 4})
    void aLegThatCannotBeHeldRejectsTheWholeBatchAndNothingMoves(int partitions) {
        start(partitions);
        open("buyer", "seller", "platform", "tax");
        fund("buyer", 900);
        PaymentBatch split = atomicBatch("order-2", aTransfer("buyer", "seller", 800),
                aTransfer("buyer", "platform", 150), aTransfer("buyer", "tax", 50));

        pipeline.sendBatch(split);

        PaymentState failing = pipeline.payment(split.getPayments().get(1).getPaymentId());
        assertThat(failing.getStatus()).isEqualTo(PaymentStatus.REJECTED);
        assertThat(failing.getReason()).as("the leg that failed keeps its own reason")
                .isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
        for (int index : new int[] {0, 2}) {
            PaymentState other = pipeline.payment(split.getPayments().get(index).getPaymentId());
            assertThat(other.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(other.getReason()).isEqualTo(RejectionReason.ATOMIC_BATCH_FAILED);
            assertThat(other.getDetail()).contains("payment 1 of atomic batch " + split.getBatchId())
                    .contains("INSUFFICIENT_FUNDS");
        }
        assertThat(pipeline.account("buyer").getBalance()).isEqualTo(900);
        assertThat(pipeline.account("seller").getBalance()).isZero();
        assertThat(pipeline.account("platform").getBalance()).isZero();
        assertThat(pipeline.account("tax").getBalance()).isZero();
        assertNoHoldLeft("buyer");
        assertThat(decided("REJECTED")).isEqualTo(1);
        assertThat(decided("COMPLETED")).isZero();
        pipeline.assertInvariantsHold();
    }

    @ParameterizedTest(name = "{0} ledger partitions")
    @ValueSource(ints = {1, 4})
    void aPayeeThatWouldRefuseTheCreditRejectsTheBatchBeforeAnyoneIsDebited(int partitions) {
        start(partitions);
        open("alice", "dave", "bob");
        fund("alice", 500);
        fund("dave", 500);
        PaymentBatch batch = atomicBatch("two-payers", aTransfer("alice", "bob", 100),
                aTransfer("dave", "nobody", 100), aTransfer("dave", "bob", 100));

        pipeline.sendBatch(batch);

        PaymentState failing = pipeline.payment(batch.getPayments().get(1).getPaymentId());
        assertThat(failing.getStatus()).isEqualTo(PaymentStatus.REJECTED);
        assertThat(failing.getReason()).isEqualTo(RejectionReason.ACCOUNT_NOT_FOUND);
        assertThat(statusesOf(batch.getPayments().get(1))).as("held, then the hold voided with the payee's reason")
                .containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED, PaymentStatus.REJECTED);
        assertThat(pipeline.payment(batch.getPayments().get(0).getPaymentId()).getReason())
                .isEqualTo(RejectionReason.ATOMIC_BATCH_FAILED);
        assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
        assertThat(pipeline.account("dave").getBalance()).isEqualTo(500);
        assertThat(pipeline.account("bob").getBalance()).isZero();
        assertNoHoldLeft("alice", "dave");
        pipeline.assertInvariantsHold();
    }

    @ParameterizedTest(name = "{0} ledger partitions")
    @ValueSource(ints = {1, 4})
    void sharesOfSeveralPayersMoveTogetherOnceTheLastShareVotes(int partitions) {
        start(partitions);
        open("alice", "dave", "bob", "carol");
        fund("alice", 500);
        fund("dave", 500);
        PaymentBatch batch = atomicBatch("shares", aTransfer("alice", "bob", 100), aTransfer("dave", "carol", 200),
                aTransfer("alice", "carol", 300));

        pipeline.sendBatch(share(batch, 0, 2));

        assertThat(pipeline.account("bob").getBalance()).as("one share alone moves nothing").isZero();
        assertThat(pipeline.account("alice").getHeld()).as("its holds wait for the other share").isEqualTo(400);

        pipeline.sendBatch(share(batch, 1));

        assertThat(pipeline.account("alice").getBalance()).isEqualTo(100);
        assertThat(pipeline.account("dave").getBalance()).isEqualTo(300);
        assertThat(pipeline.account("bob").getBalance()).isEqualTo(100);
        assertThat(pipeline.account("carol").getBalance()).isEqualTo(500);
        assertNoHoldLeft("alice", "dave");
        pipeline.assertInvariantsHold();
    }

    @Test
    void aRetriedAtomicBatchMovesNothingTwice() {
        start(4);
        open("buyer", "seller", "tax");
        fund("buyer", 1_000);
        PaymentBatch split = atomicBatch("retry", aTransfer("buyer", "seller", 300), aTransfer("buyer", "tax", 30));

        pipeline.sendBatch(split);
        pipeline.sendBatch(split);

        assertThat(pipeline.account("buyer").getBalance()).isEqualTo(670);
        assertThat(pipeline.account("seller").getBalance()).isEqualTo(300);
        for (PaymentRequest payment : split.getPayments()) {
            assertThat(statusesOf(payment)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED,
                    PaymentStatus.COMPLETED);
        }
        pipeline.assertInvariantsHold();
    }

    @Test
    void aBatchWhoseLastShareNeverComesIsRejectedAtItsDeadlineAndItsHoldsReleased() {
        start(4);
        open("alice", "dave", "bob");
        fund("alice", 500);
        fund("dave", 500);
        PaymentBatch batch = atomicBatch("lost-share", aTransfer("alice", "bob", 100),
                aTransfer("dave", "bob", 100));
        pipeline.sendBatch(share(batch, 0));
        assertThat(pipeline.account("alice").getHeld()).isEqualTo(100);

        pipeline.advance(AtomicBatchRules.VOTE_TIMEOUT.plusSeconds(1));
        pipeline.advanceWallClock(AtomicBatchRules.VOTE_TIMEOUT.plusSeconds(10));

        PaymentState first = pipeline.payment(batch.getPayments().get(0).getPaymentId());
        assertThat(first.getStatus()).isEqualTo(PaymentStatus.REJECTED);
        assertThat(first.getReason()).isEqualTo(RejectionReason.ATOMIC_BATCH_FAILED);
        assertThat(first.getDetail()).contains("timed out with 1 of 2 votes");
        assertThat(decided("TIMED_OUT")).isEqualTo(1);
        assertNoHoldLeft("alice");
        assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);

        pipeline.sendBatch(share(batch, 1));

        assertThat(pipeline.payment(batch.getPayments().get(1).getPaymentId()).getStatus())
                .as("a share that comes after the decision is voided too").isEqualTo(PaymentStatus.REJECTED);
        assertNoHoldLeft("alice", "dave");
        assertThat(pipeline.account("bob").getBalance()).isZero();
        pipeline.assertInvariantsHold();
    }

    @Test
    void theClientCannotCaptureOrVoidAHoldThatOnlyItsBatchMayEnd() {
        start(4);
        open("alice", "dave", "bob");
        fund("alice", 500);
        fund("dave", 500);
        PaymentBatch batch = atomicBatch("hostile", aTransfer("alice", "bob", 100), aTransfer("dave", "bob", 100));
        pipeline.sendBatch(share(batch, 0));
        String held = batch.getPayments().get(0).getPaymentId();

        for (ActionType type : new ActionType[] {ActionType.CAPTURE, ActionType.VOID}) {
            pipeline.sendToLedger(LedgerCommand.newBuilder()
                    .setCommandId(held + ":" + type + ":hostile")
                    .setType(type == ActionType.CAPTURE ? LedgerCommandType.CAPTURE : LedgerCommandType.VOID)
                    .setAccountId("alice").setPaymentId(held).setPaymentType(batch.getPayments().get(0).getType())
                    .setFrom("alice").setTo("bob").setAmount(100).setCurrency("USD")
                    .setActionId(Fixtures.paymentId("hostile:" + type)).setRequestedAtMs(0L).build());
        }

        assertThat(pipeline.eventsOf(held)).filteredOn(e -> e.getActionId() != null)
                .extracting(PaymentEvent::getStatus, PaymentEvent::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(PaymentStatus.CAPTURE_FAILED,
                        RejectionReason.NOT_PERMITTED), org.assertj.core.groups.Tuple.tuple(PaymentStatus.VOID_FAILED,
                        RejectionReason.NOT_PERMITTED));
        assertThat(pipeline.account("alice").getHeld()).as("still held for its batch").isEqualTo(100);

        pipeline.sendBatch(share(batch, 1));

        assertThat(pipeline.account("bob").getBalance()).isEqualTo(200);
        assertNoHoldLeft("alice", "dave");
        pipeline.assertInvariantsHold();
    }

    /**
     * A direct producer's batch: one record, a random batch id, each payment's id derived from it. The id hashes to
     * partition 0 of 4 (and of 1), the test driver's one task, where a producer's partitioner would put it.
     */
    private static PaymentBatch directBatch(boolean atomic, PaymentRequest.Builder... payments) {
        String batchId = java.util.stream.Stream.generate(() -> java.util.UUID.randomUUID().toString())
                .filter(id -> io.paystream.schemas.Partitions.of(id, 4) == 0).findFirst().orElseThrow();
        List<PaymentRequest> items = new ArrayList<>();
        for (int index = 0; index < payments.length; index++) {
            items.add(payments[index].setPaymentId(io.paystream.schemas.BatchIds.paymentId(batchId, index))
                    .setClientId(Pipeline.GLOBEX.clientId()).setBatchId(batchId).setBatchIndex(index).build());
        }
        return PaymentBatch.newBuilder().setBatchId(batchId).setClientId(Pipeline.GLOBEX.clientId())
                .setSize(items.size()).setPayments(items).setAtomic(atomic).build();
    }

    @Test
    void aDirectProducersAtomicBatchMovesAndARetryMovesNothingTwice() {
        start(4);
        open("globex-1", "globex-2", "seller", "fee");
        fund("globex-1", 500);
        fund("globex-2", 500);
        PaymentBatch batch = directBatch(true, aTransfer("globex-1", "seller", 400), aTransfer("globex-2", "fee", 50),
                aTransfer("globex-2", "seller", 100));

        pipeline.sendDirectBatch(Pipeline.GLOBEX, batch);
        pipeline.sendDirectBatch(Pipeline.GLOBEX, batch);

        for (PaymentRequest payment : batch.getPayments()) {
            assertThat(statusesOf(payment)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED,
                    PaymentStatus.COMPLETED);
        }
        assertThat(pipeline.account("seller").getBalance()).isEqualTo(500);
        assertThat(pipeline.account("globex-2").getBalance()).isEqualTo(350);
        assertNoHoldLeft("globex-1", "globex-2");
        pipeline.assertInvariantsHold();
    }

    @Test
    void aDirectProducerPayingFromAnAccountItDoesNotOwnRejectsItsAtomicBatch() {
        start(1);
        open("globex-1", "alice", "seller");
        fund("globex-1", 500);
        fund("alice", 500);
        PaymentBatch batch = directBatch(true, aTransfer("globex-1", "seller", 100), aTransfer("alice", "seller", 100));

        pipeline.sendDirectBatch(Pipeline.GLOBEX, batch);

        assertThat(pipeline.payment(batch.getPayments().get(1).getPaymentId()).getReason())
                .isEqualTo(RejectionReason.NOT_PERMITTED);
        assertThat(pipeline.payment(batch.getPayments().get(0).getPaymentId()).getReason())
                .isEqualTo(RejectionReason.ATOMIC_BATCH_FAILED);
        assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
        assertThat(pipeline.account("seller").getBalance()).isZero();
        assertNoHoldLeft("globex-1", "alice");
        pipeline.assertInvariantsHold();
    }

    @Test
    void aDirectBatchWhoseIdsAreNotItsOwnIsDeadLetteredWhole() {
        start(1);
        open("globex-1", "seller");
        fund("globex-1", 500);
        PaymentBatch chosenIds = directBatch(false, aTransfer("globex-1", "seller", 100));
        chosenIds.getPayments().get(0).setPaymentId(java.util.UUID.randomUUID().toString());
        PaymentBatch derivedBatchId = directBatch(false, aTransfer("globex-1", "seller", 100));
        String ingressLike = Fixtures.paymentId("not-random");
        derivedBatchId.setBatchId(ingressLike);
        derivedBatchId.getPayments().get(0).setBatchId(ingressLike);
        derivedBatchId.getPayments().get(0).setPaymentId(io.paystream.schemas.BatchIds.paymentId(ingressLike, 0));
        PaymentBatch partial = directBatch(false, aTransfer("globex-1", "seller", 100));
        partial.setSize(2);
        // An atomic batch whose payment 0 has no payer has no coordinator: decided one by one, it would not be atomic.
        PaymentBatch uncoordinated = directBatch(true, aTransfer("globex-1", "seller", 100).setFrom(null),
                aTransfer("globex-1", "seller", 100));

        pipeline.sendDirectBatch(Pipeline.GLOBEX, chosenIds);
        pipeline.sendDirectBatch(Pipeline.GLOBEX, derivedBatchId);
        pipeline.sendDirectBatch(Pipeline.GLOBEX, partial);
        pipeline.sendDirectBatch(Pipeline.GLOBEX, uncoordinated);

        assertThat(pipeline.deadLetters()).hasSize(4);
        assertThat(pipeline.account("globex-1").getBalance()).isEqualTo(500);
        assertThat(pipeline.account("seller").getBalance()).isZero();
    }

    @Test
    void aTopUpInAnAtomicBatchIsRefusedAndTheBatchWithIt() {
        start(1);
        open("alice", "bob");
        fund("alice", 500);
        PaymentBatch batch = atomicBatch("topup", aTransfer("alice", "bob", 100), aTopUp("bob", 100));

        pipeline.sendBatch(batch);

        PaymentState topUp = pipeline.payment(batch.getPayments().get(1).getPaymentId());
        assertThat(topUp.getReason()).isEqualTo(RejectionReason.INVALID_REQUEST);
        assertThat(pipeline.payment(batch.getPayments().get(0).getPaymentId()).getReason())
                .isEqualTo(RejectionReason.ATOMIC_BATCH_FAILED);
        assertThat(pipeline.account("bob").getBalance()).isZero();
        assertNoHoldLeft("alice");
        pipeline.assertInvariantsHold();
    }
}
