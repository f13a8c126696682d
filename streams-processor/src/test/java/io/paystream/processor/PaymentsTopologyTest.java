package io.paystream.processor;

import io.paystream.processor.topology.PaymentsTopology;
import static io.paystream.processor.testing.Fixtures.aPayment;
import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.aWithdrawal;
import static io.paystream.processor.testing.Fixtures.anAccountRequest;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.ledger.InFlight;
import io.paystream.processor.testing.Fixtures;
import io.paystream.processor.testing.Pipeline;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.Money;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PaymentsTopologyTest {
    private final Pipeline pipeline = new Pipeline();

    @AfterEach
    void closeDriver() {
        pipeline.close();
    }

    private void open(String accountId, String currency, AccountType type) {
        pipeline.send(anOpen(accountId, currency, type).build());
    }

    private void fund(String accountId, long amount) {
        pipeline.send(aTopUp(accountId, amount).setPaymentId(
                io.paystream.processor.testing.Fixtures.paymentId("fund:" + accountId + ":" + amount)).build());
    }

    private List<PaymentStatus> statusesOf(PaymentRequest request) {
        return pipeline.eventsOf(request.getPaymentId()).stream().map(PaymentEvent::getStatus).toList();
    }

    private List<AuditRecord> auditsOf(String accountId) {
        return pipeline.audits().stream().filter(a -> a.getAccountId().equals(accountId)).toList();
    }

    private PaymentState assertFinal(PaymentRequest request, PaymentStatus status, RejectionReason reason) {
        PaymentState state = pipeline.payment(request.getPaymentId());
        assertThat(state).as("stored state of %s", request.getPaymentId()).isNotNull();
        assertThat(state.getStatus()).isEqualTo(status);
        assertThat(state.getReason()).isEqualTo(reason);
        return state;
    }

    @Nested
    class HappyPaths {
        @Test
        void aTopUpCreditsThePayee() {
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = aTopUp("alice", 1_000).build();
            pipeline.send(topUp);

            assertThat(statusesOf(topUp)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(1_000);
            assertThat(pipeline.account("alice").getEntrySeq()).isEqualTo(1);
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind)
                    .containsExactly(AuditKind.ACCOUNT_OPENED, AuditKind.CREDIT);
            assertThat(pipeline.legs()).extracting(LedgerCommand::getType)
                    .as("the credit is applied by intake's own task, in its step: it never crosses the ledger topic")
                    .containsExactly(LedgerCommandType.OPEN);
            assertThat(pipeline.notifications()).singleElement()
                    .satisfies(n -> assertThat(n.getAccountId()).isEqualTo("alice"));
            PaymentState state = assertFinal(topUp, PaymentStatus.COMPLETED, null);
            assertThat(state.getReference()).isEqualTo("test");
            assertThat(state.getCreatedAtMs()).isLessThan(state.getUpdatedAtMs() + 1);
        }

        @Test
        void aTransferDebitsThePayerThenCreditsThePayee() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest transfer = aTransfer("alice", "bob", 200).build();
            pipeline.send(transfer);

            assertThat(statusesOf(transfer)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(300);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(200);
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind, AuditRecord::getAmount,
                    AuditRecord::getEntrySeq).containsExactly(
                    org.assertj.core.groups.Tuple.tuple(AuditKind.ACCOUNT_OPENED, 0L, null),
                    org.assertj.core.groups.Tuple.tuple(AuditKind.CREDIT, 500L, 1L),
                    org.assertj.core.groups.Tuple.tuple(AuditKind.DEBIT, -200L, 2L));
            assertThat(pipeline.notifications().stream()
                    .filter(n -> n.getPaymentId().equals(transfer.getPaymentId()))
                    .map(n -> n.getAccountId()).toList()).containsExactlyInAnyOrder("alice", "bob");
            assertFinal(transfer, PaymentStatus.COMPLETED, null);
            pipeline.assertInvariantsHold();
        }

        @Test
        void intakeDebitsThePayerInItsOwnStepSoOnlyTheCreditCrossesTheLedgerTopic() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            int legsBefore = pipeline.legs().size();
            PaymentRequest transfer = aTransfer("alice", "bob", 200).build();
            pipeline.send(transfer);

            assertThat(pipeline.legs().subList(legsBefore, pipeline.legs().size()))
                    .extracting(LedgerCommand::getType, LedgerCommand::getAccountId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(LedgerCommandType.CREDIT, "bob"));
            assertFinal(transfer, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(300);
        }

        @Test
        void aRequestKeyedByItsPaymentIdIsDecidedAsBeforeAndARetryKeyedTheSameWayIsADuplicate() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest transfer = aTransfer("alice", "bob", 200).build();
            pipeline.sendKeyedByPaymentId(transfer);
            pipeline.sendKeyedByPaymentId(transfer);

            assertFinal(transfer, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(300);
            assertThat(pipeline.registry().counter("paystream.payments.duplicates").count()).isEqualTo(1.0);
        }

        @Test
        void aRequestKeyedByAnotherAccountIsDeadLetteredAndMovesNothing() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest transfer = aTransfer("alice", "bob", 200).build();
            pipeline.sendRaw(Topics.PAYMENT_REQUESTS.name(), "bob".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize("t", transfer));

            assertThat(pipeline.deadLetters()).singleElement().satisfies(deadLetter -> assertThat(
                    header(deadLetter.headers(), "__streams.errors.message"))
                    .contains("is not the request's paymentId").contains("nor its first leg's account"));
            assertThat(statusesOf(transfer)).isEmpty();
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
        }

        @Test
        void aPaymentToAMerchantCompletes() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("shop", "USD", AccountType.MERCHANT);
            fund("alice", 500);
            PaymentRequest payment = aPayment(PaymentType.PAYMENT, "alice", "shop", 499).build();
            pipeline.send(payment);

            assertFinal(payment, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("shop").getBalance()).isEqualTo(499);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(1);
        }

        @Test
        void aWithdrawalDebitsThePayerAndCompletes() {
            open("alice", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest withdrawal = aWithdrawal("alice", 500).build();
            pipeline.send(withdrawal);

            assertFinal(withdrawal, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("alice").getBalance()).isZero();
            assertThat(pipeline.account("alice").getEntrySeq()).isEqualTo(2);
            pipeline.assertInvariantsHold();
        }
    }

    @Nested
    class Batches {
        private PaymentBatch batchOf(String label, PaymentRequest.Builder... payments) {
            String batchId = Fixtures.paymentId("batch:" + label);
            List<PaymentRequest> items = new java.util.ArrayList<>();
            for (int index = 0; index < payments.length; index++) {
                items.add(payments[index].setPaymentId(Fixtures.paymentId("batch:" + label + ":" + index))
                        .setBatchId(batchId).setBatchIndex(index).build());
            }
            return PaymentBatch.newBuilder().setBatchId(batchId).setClientId("acme").setIdempotencyKey(label)
                    .setSize(items.size()).setPayments(items).build();
        }

        @Test
        void eachPaymentOfABatchIsDecidedAsIfPostedAloneAndItsDebitsStayInTheTask() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            open("carol", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            int legsBefore = pipeline.legs().size();
            PaymentBatch batch = batchOf("payroll", aTransfer("alice", "bob", 200), aTransfer("alice", "carol", 250),
                    aTransfer("alice", "bob", 100), aTransfer("alice", "nobody", 10));

            pipeline.sendBatch(batch);

            List<PaymentRequest> payments = batch.getPayments();
            assertThat(statusesOf(payments.get(0))).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertThat(statusesOf(payments.get(1))).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertFinal(payments.get(2), PaymentStatus.REJECTED, RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(pipeline.payment(payments.get(3).getPaymentId()).getStatus())
                    .as("its payee does not exist: its debit is reversed").isEqualTo(PaymentStatus.REVERSED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(50);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(200);
            assertThat(pipeline.account("carol").getBalance()).isEqualTo(250);
            for (PaymentRequest payment : payments) {
                PaymentState state = pipeline.payment(payment.getPaymentId());
                assertThat(state.getBatchId()).as("the final state keeps the batch").isEqualTo(batch.getBatchId());
                assertThat(state.getBatchIndex()).isEqualTo(payment.getBatchIndex());
                assertThat(state.getBatchSize()).as("from the record when a payment lacks it").isEqualTo(4);
            }
            assertThat(pipeline.eventsOf(payments.get(0).getPaymentId())).extracting(PaymentEvent::getBatchId)
                    .as("intake's event names the batch; the ledger's terminal event does not repeat it")
                    .containsExactly(batch.getBatchId(), null);
            List<LedgerCommand> crossed = pipeline.legs().subList(legsBefore, pipeline.legs().size());
            assertThat(crossed).as("the debits are applied in the batch's own task; only the credits cross the "
                            + "ledger topic, as one LEGS record for their one partition, and then the reversal of the "
                            + "debit whose payee does not exist")
                    .extracting(LedgerCommand::getType).containsExactly(LedgerCommandType.LEGS,
                            LedgerCommandType.REVERSAL);
            assertThat(crossed.get(0).getLegs()).extracting(LedgerCommand::getType, LedgerCommand::getAccountId)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(LedgerCommandType.CREDIT, "bob"),
                            org.assertj.core.groups.Tuple.tuple(LedgerCommandType.CREDIT, "carol"),
                            org.assertj.core.groups.Tuple.tuple(LedgerCommandType.CREDIT, "nobody"));
            pipeline.assertInvariantsHold();
        }

        @Test
        void aBatchsCreditsCrossTheLedgerTopicAsOneRecordPerPayeePartition() {
            int partitions = 4;
            try (Pipeline partitioned = Pipeline.ofPartitions(partitions)) {
                // A payer on the driver's one task (partition 0), so that its debits are applied with intake.
                String payer = java.util.stream.IntStream.range(0, 100).mapToObj(i -> "payer-" + i)
                        .filter(id -> io.paystream.schemas.Partitions.of(id, partitions) == 0).findFirst()
                        .orElseThrow();
                List<String> payees = java.util.stream.IntStream.range(0, 12).mapToObj(i -> "payee-" + i).toList();
                partitioned.send(anOpen(payer, "USD", AccountType.CUSTOMER).build());
                payees.forEach(payee -> partitioned.send(anOpen(payee, "USD", AccountType.CUSTOMER).build()));
                partitioned.send(aTopUp(payer, 1_200).setPaymentId(Fixtures.paymentId("fund:" + payer)).build());
                int legsBefore = partitioned.legs().size();
                PaymentBatch batch = batchOf("spread", payees.stream().map(payee -> aTransfer(payer, payee, 100))
                        .toArray(PaymentRequest.Builder[]::new));

                partitioned.sendBatch(batch);

                for (PaymentRequest payment : batch.getPayments()) {
                    assertThat(partitioned.payment(payment.getPaymentId()).getStatus())
                            .isEqualTo(PaymentStatus.COMPLETED);
                }
                payees.forEach(payee -> assertThat(partitioned.account(payee).getBalance()).isEqualTo(100));
                assertThat(partitioned.account(payer).getBalance()).isZero();
                long payeePartitions = payees.stream().map(p -> io.paystream.schemas.Partitions.of(p, partitions))
                        .distinct().count();
                List<LedgerCommand> crossed = partitioned.legs().subList(legsBefore, partitioned.legs().size());
                assertThat(crossed).as("12 credits, one record for each partition their payees fall on")
                        .hasSize((int) payeePartitions)
                        .allSatisfy(record -> assertThat(record.getType()).isIn(LedgerCommandType.LEGS,
                                LedgerCommandType.CREDIT));
                assertThat(crossed.stream().mapToInt(r -> r.getLegs() == null ? 1 : r.getLegs().size()).sum())
                        .isEqualTo(12);
                partitioned.assertInvariantsHold();
            }
        }

        @Test
        void aLegsRecordWithoutLegsIsDeadLettered() {
            pipeline.sendToLedger(LedgerCommand.newBuilder().setCommandId("empty").setType(LedgerCommandType.LEGS)
                    .setAccountId("alice").setRequestedAtMs(0L).setLegs(List.of()).build());

            assertThat(pipeline.deadLetters()).hasSize(1);
        }

        @Test
        void aRetriedBatchMovesNothingTwice() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentBatch batch = batchOf("retry", aTransfer("alice", "bob", 200), aTransfer("alice", "bob", 100));

            pipeline.sendBatch(batch);
            pipeline.sendBatch(batch);

            assertThat(pipeline.account("alice").getBalance()).isEqualTo(200);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(300);
            for (PaymentRequest payment : batch.getPayments()) {
                assertThat(statusesOf(payment)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            }
            pipeline.assertInvariantsHold();
        }

        @Test
        void aBatchWithAPaymentOfAnotherBatchIsDeadLetteredWholeAndMovesNothing() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentBatch batch = batchOf("forged", aTransfer("alice", "bob", 200), aTransfer("alice", "bob", 100));
            batch.getPayments().get(1).setBatchId(Fixtures.paymentId("batch:other"));

            pipeline.sendBatch(batch);

            assertThat(pipeline.deadLetters()).hasSize(1);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.payment(batch.getPayments().get(0).getPaymentId())).isNull();
        }
    }

    @Nested
    class Rejections {
        @Test
        void anInvalidRequestIsRejectedAtIntakeAndNeverReachesTheLedger() {
            PaymentRequest invalid = aTransfer("alice", "bob", 0).build();
            pipeline.send(invalid);

            assertThat(statusesOf(invalid)).containsExactly(PaymentStatus.REJECTED);
            PaymentState state = assertFinal(invalid, PaymentStatus.REJECTED, RejectionReason.INVALID_REQUEST);
            assertThat(state.getDetail()).contains("amount");
            assertThat(pipeline.legs()).isEmpty();
            assertThat(auditsOf("alice")).singleElement()
                    .satisfies(a -> assertThat(a.getReason()).isEqualTo(RejectionReason.INVALID_REQUEST));
        }

        @Test
        void aMissingPayerIsAccountNotFound() {
            PaymentRequest transfer = aTransfer("ghost", "bob", 10).build();
            pipeline.send(transfer);

            assertFinal(transfer, PaymentStatus.REJECTED, RejectionReason.ACCOUNT_NOT_FOUND);
        }

        @Test
        void aFrozenPayerIsAccountInactive() {
            open("alice", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "alice").build());
            PaymentRequest transfer = aTransfer("alice", "bob", 10).build();
            pipeline.send(transfer);

            assertFinal(transfer, PaymentStatus.REJECTED, RejectionReason.ACCOUNT_INACTIVE);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
        }

        @Test
        void aPayerInAnotherCurrencyIsCurrencyMismatch() {
            open("alice", "EUR", AccountType.CUSTOMER);
            PaymentRequest transfer = aTransfer("alice", "bob", 10).build();
            pipeline.send(transfer);

            assertFinal(transfer, PaymentStatus.REJECTED, RejectionReason.CURRENCY_MISMATCH);
        }

        @Test
        void aDebitBeyondTheBalanceIsInsufficientFunds() {
            open("alice", "USD", AccountType.CUSTOMER);
            fund("alice", 100);
            PaymentRequest transfer = aTransfer("alice", "bob", 101).build();
            pipeline.send(transfer);

            assertFinal(transfer, PaymentStatus.REJECTED, RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(100);
            // The payer hears of it (a payment.rejected webhook), and only the payer.
            assertThat(pipeline.notifications()).filteredOn(n -> n.getPaymentId().equals(transfer.getPaymentId()))
                    .singleElement().satisfies(n -> {
                        assertThat(n.getAccountId()).isEqualTo("alice");
                        assertThat(n.getStatus()).isEqualTo(PaymentStatus.REJECTED);
                        assertThat(n.getReason()).isEqualTo(RejectionReason.INSUFFICIENT_FUNDS);
                        assertThat(n.getNotificationId()).isEqualTo(transfer.getPaymentId() + ":REJECTED:PAYER");
                    });
        }

        @Test
        void aDebitBeyondTheOverdraftLimitIsLimitExceeded() {
            pipeline.send(anOpen("alice", "USD", AccountType.CUSTOMER).setOverdraftLimit(50L).build());
            PaymentRequest within = aWithdrawal("alice", 50).build();
            PaymentRequest beyond = aWithdrawal("alice", 1).build();
            pipeline.send(within);
            pipeline.send(beyond);

            assertFinal(within, PaymentStatus.COMPLETED, null);
            assertFinal(beyond, PaymentStatus.REJECTED, RejectionReason.LIMIT_EXCEEDED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(-50);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aCreditThatWouldOverflowIsReversedAsAmountOverflow() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("whale", "USD", AccountType.CUSTOMER);
            fund("alice", 400_000_000_000_000L);
            // 1,000 top-ups bring the balance within 10^14 of the ceiling, 10^18 (Money.MAX_BALANCE_MINOR), which
            // keeps every balance far enough from Long.MAX_VALUE that a reversal can never overflow.
            for (int i = 0; i < 1_000; i++) {
                long amount = i < 999 ? 1_000_000_000_000_000L : 900_000_000_000_000L;
                pipeline.sendToLedger(io.paystream.processor.testing.Fixtures
                        .aLeg(LedgerCommandType.CREDIT, PaymentType.TOPUP, null, "whale", amount)
                        .setPaymentId(io.paystream.processor.testing.Fixtures.paymentId("whale-" + i))
                        .setCommandId("whale-" + i).build());
            }
            long headroom = Money.MAX_BALANCE_MINOR - pipeline.account("whale").getBalance();
            assertThat(headroom).isEqualTo(100_000_000_000_000L);
            PaymentRequest fits = aTransfer("alice", "whale", headroom).build();
            PaymentRequest tooMuch = aTransfer("alice", "whale", 1).build();
            pipeline.send(fits);
            pipeline.send(tooMuch);

            assertFinal(fits, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("whale").getBalance()).isEqualTo(Money.MAX_BALANCE_MINOR);
            assertFinal(tooMuch, PaymentStatus.REVERSED, RejectionReason.AMOUNT_OVERFLOW);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(400_000_000_000_000L - headroom);
        }

        @Test
        void aMalformedLedgerCommandIsDeadLetteredAndItsPaymentRejectedAsInternalError() {
            open("alice", "USD", AccountType.CUSTOMER);
            fund("alice", 100);
            LedgerCommand broken = io.paystream.processor.testing.Fixtures
                    .aLeg(LedgerCommandType.DEBIT, PaymentType.TRANSFER, "alice", "bob", 10)
                    .setCurrency("???").build();
            pipeline.sendToLedger(broken);

            PaymentState state = pipeline.payment(broken.getPaymentId());
            assertThat(state.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            assertThat(state.getReason()).isEqualTo(RejectionReason.INTERNAL_ERROR);
            assertThat(state.getDetail()).contains("IllegalStateException");
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(100);
            TestRecord<byte[], byte[]> deadLetter = pipeline.deadLetters().get(0);
            assertThat(header(deadLetter.headers(), "__streams.errors.exception"))
                    .isEqualTo("java.lang.IllegalStateException");
            assertThat(header(deadLetter.headers(), "__streams.errors.topic")).isEqualTo(Topics.LEDGER.name());
            assertThat(Topics.LEDGER.valueSerde().deserializer().deserialize("t", deadLetter.value()))
                    .isEqualTo(broken);
            assertThat(pipeline.registry().counter("paystream.dlq.records", "stage", "processing", "topic",
                    Topics.LEDGER.name()).count()).isEqualTo(1.0);
        }
    }

    @Nested
    class Reversals {
        @Test
        void aMissingPayeeReversesTheDebit() {
            assertReversed("nobody", RejectionReason.ACCOUNT_NOT_FOUND);
        }

        @Test
        void aFrozenPayeeReversesTheDebit() {
            open("bob", "USD", AccountType.CUSTOMER);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "bob").build());
            assertReversed("bob", RejectionReason.ACCOUNT_INACTIVE);
        }

        @Test
        void aPayeeInAnotherCurrencyReversesTheDebit() {
            open("bob", "EUR", AccountType.CUSTOMER);
            assertReversed("bob", RejectionReason.CURRENCY_MISMATCH);
        }

        @Test
        void aPaymentToANonMerchantReversesTheDebit() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 300);
            PaymentRequest payment = aPayment(PaymentType.PAYMENT, "alice", "bob", 100).build();
            pipeline.send(payment);

            assertFinal(payment, PaymentStatus.REVERSED, RejectionReason.INVALID_REQUEST);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(300);
        }

        @Test
        void aTopUpToAMissingAccountIsRejectedNotReversed() {
            PaymentRequest topUp = aTopUp("nobody", 100).build();
            pipeline.send(topUp);

            assertThat(statusesOf(topUp)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.REJECTED);
            assertFinal(topUp, PaymentStatus.REJECTED, RejectionReason.ACCOUNT_NOT_FOUND);
            assertThat(pipeline.legs()).as("no reversal, and the credit was applied in intake's step").isEmpty();
            assertThat(pipeline.notifications()).singleElement().satisfies(n -> {
                assertThat(n.getAccountId()).isEqualTo("nobody");
                assertThat(n.getRole()).isEqualTo(io.paystream.schemas.avro.NotificationRole.PAYEE);
                assertThat(n.getStatus()).isEqualTo(PaymentStatus.REJECTED);
            });
        }

        private void assertReversed(String payee, RejectionReason reason) {
            open("alice", "USD", AccountType.CUSTOMER);
            fund("alice", 300);
            PaymentRequest transfer = aTransfer("alice", payee, 100).build();
            pipeline.send(transfer);

            assertThat(statusesOf(transfer)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.REVERSED);
            assertFinal(transfer, PaymentStatus.REVERSED, reason);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(300);
            assertThat(pipeline.account("alice").getEntrySeq()).isEqualTo(3);
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind).containsExactly(
                    AuditKind.ACCOUNT_OPENED, AuditKind.CREDIT, AuditKind.DEBIT, AuditKind.REVERSAL);
            assertThat(auditsOf(payee)).filteredOn(a -> a.getKind() == AuditKind.REJECTION)
                    .singleElement().satisfies(a -> assertThat(a.getReason()).isEqualTo(reason));
            pipeline.assertInvariantsHold();
        }
    }

    @Nested
    class Idempotency {
        @Test
        void anExactDuplicateIsDroppedAndCounted() {
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = aTopUp("alice", 100).build();
            pipeline.send(topUp);
            pipeline.send(topUp);

            assertThat(statusesOf(topUp)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(100);
            assertThat(pipeline.registry().counter("paystream.payments.duplicates").count()).isEqualTo(1.0);
        }

        @Test
        void aDuplicateOfAnInvalidRequestDoesNotRejectItTwice() {
            PaymentRequest invalid = aTransfer("alice", "alice", 10).build();
            pipeline.send(invalid);
            pipeline.send(invalid);

            assertThat(statusesOf(invalid)).containsExactly(PaymentStatus.REJECTED);
        }

        @Test
        void theSameIdWithOtherContentsIsAConflictAndLeavesTheFirstPaymentAlone() {
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest first = aTopUp("alice", 100).build();
            pipeline.send(first);
            pipeline.send(PaymentRequest.newBuilder(first).setAmount(999).build());

            assertThat(statusesOf(first)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertThat(pipeline.payment(first.getPaymentId()).getAmount()).isEqualTo(100);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(100);
            assertThat(auditsOf("alice")).filteredOn(a -> a.getReason() == RejectionReason.IDEMPOTENCY_CONFLICT)
                    .singleElement().satisfies(a -> assertThat(a.getPaymentId()).isEqualTo(first.getPaymentId()));
            assertThat(pipeline.registry().counter("paystream.payments.idempotency.conflicts").count())
                    .isEqualTo(1.0);
        }
    }

    /** Requests on a direct producer's own topic are checked as that producer's client, as the ingress checks a key. */
    @Nested
    class DirectProducers {
        private PaymentRequest direct(PaymentRequest.Builder request, String clientId, String label) {
            return request.setClientId(clientId).setPaymentId(Fixtures.randomPaymentId(label)).build();
        }

        @Test
        void aDirectProducerPaysFromAnAccountItOwns() {
            open("globex-1", "USD", AccountType.CUSTOMER);
            open("globex-2", "USD", AccountType.CUSTOMER);
            fund("globex-1", 500);
            PaymentRequest transfer = direct(aTransfer("globex-1", "globex-2", 200), "globex", "own");
            pipeline.sendDirect(Pipeline.GLOBEX, transfer);

            assertFinal(transfer, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("globex-2").getBalance()).isEqualTo(200);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aDirectProducerCannotDebitAnotherClientsAccount() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("globex-2", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest theft = direct(aTransfer("alice", "globex-2", 500), "globex", "theft");
            pipeline.sendDirect(Pipeline.GLOBEX, theft);

            PaymentState state = assertFinal(theft, PaymentStatus.REJECTED, RejectionReason.NOT_PERMITTED);
            assertThat(state.getDetail()).isEqualTo("from account alice is not owned by globex");
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.account("globex-2").getBalance()).isZero();
            assertThat(pipeline.legs()).noneMatch(leg -> theft.getPaymentId().equals(leg.getPaymentId()));
            assertThat(auditsOf("alice")).filteredOn(a -> a.getReason() == RejectionReason.NOT_PERMITTED).hasSize(1);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aDirectProducerCannotDeclareAnotherClient() {
            open("globex-1", "USD", AccountType.CUSTOMER);
            fund("globex-1", 500);
            PaymentRequest impostor = direct(aWithdrawal("globex-1", 100), "acme", "impostor");
            pipeline.sendDirect(Pipeline.GLOBEX, impostor);

            assertThat(assertFinal(impostor, PaymentStatus.REJECTED, RejectionReason.NOT_PERMITTED).getDetail())
                    .isEqualTo("clientId acme is not globex, whose topic this request was written to");
            assertThat(pipeline.account("globex-1").getBalance()).isEqualTo(500);
        }

        @Test
        void onlyAProducerWithFundsWriteTopsUp() {
            open("globex-1", "USD", AccountType.CUSTOMER);
            open("initech-1", "USD", AccountType.CUSTOMER);
            PaymentRequest minted = direct(aTopUp("globex-1", 1_000_000), "globex", "mint");
            PaymentRequest funded = direct(aTopUp("initech-1", 1_000), "initech", "fund");
            pipeline.sendDirect(Pipeline.GLOBEX, minted);
            pipeline.sendDirect(Pipeline.INITECH, funded);

            assertThat(assertFinal(minted, PaymentStatus.REJECTED, RejectionReason.NOT_PERMITTED).getDetail())
                    .isEqualTo("globex may not post TOPUP: that needs scope funds:write");
            assertThat(pipeline.account("globex-1").getBalance()).isZero();
            assertFinal(funded, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("initech-1").getBalance()).isEqualTo(1_000);
        }

        @Test
        void anIdThatIsNotRandomIsDeadLetteredAndStaysFreeForItsOwner() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("globex-1", "USD", AccountType.CUSTOMER);
            fund("globex-1", 500);
            // A version 3 id, as predictable as the ingress's ids once were: the producer must not take it first.
            PaymentRequest ingressOwn = aTopUp("alice", 70).setPaymentId(Fixtures.paymentId("alice's next")).build();
            PaymentRequest squat = PaymentRequest.newBuilder(aWithdrawal("globex-1", 1).build())
                    .setClientId("globex").setPaymentId(ingressOwn.getPaymentId()).build();
            pipeline.sendDirect(Pipeline.GLOBEX, squat);

            assertThat(pipeline.eventsOf(squat.getPaymentId())).isEmpty();
            assertThat(pipeline.deadLetters()).hasSize(1);
            pipeline.send(ingressOwn);
            assertFinal(ingressOwn, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("globex-1").getBalance()).isEqualTo(500);
        }

        @Test
        void theIngressTopicIsTrustedWithTheClientItDeclares() {
            open("globex-1", "USD", AccountType.CUSTOMER);
            fund("globex-1", 500);
            // The ingress has checked the key's prefixes already; its topic carries requests of every client.
            PaymentRequest withdrawal = aWithdrawal("globex-1", 100).setClientId("acme").build();
            pipeline.send(withdrawal);

            assertFinal(withdrawal, PaymentStatus.COMPLETED, null);
        }
    }

    /** Manual capture: a hold on the payer, then a void or an expiry (issue 14). */
    @Nested
    class Authorizations {
        private PaymentRequest manual(String from, String to, long amount, Long holdSeconds) {
            return aTransfer(from, to, amount).setCapture(io.paystream.schemas.avro.CaptureMode.MANUAL)
                    .setHoldExpiresInSeconds(holdSeconds).setReference("order " + amount).build();
        }

        private io.paystream.schemas.avro.PaymentAction voidOf(PaymentRequest payment, String label) {
            return Fixtures.anAction(io.paystream.schemas.avro.ActionType.VOID, payment.getPaymentId(), label).build();
        }

        @Test
        void anAuthorizationHoldsThePayersMoneyWithoutMovingIt() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = manual("alice", "bob", 200, null);
            pipeline.send(hold);

            assertThat(statusesOf(hold)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.account("alice").getHeld()).isEqualTo(200);
            assertThat(pipeline.account("alice").getEntrySeq()).as("a hold is not a movement").isEqualTo(1);
            assertThat(pipeline.account("bob").getBalance()).isZero();
            PaymentState state = pipeline.payment(hold.getPaymentId());
            assertThat(state.getStatus()).isEqualTo(PaymentStatus.AUTHORIZED);
            assertThat(state.getAuthorizedAmount()).isEqualTo(200);
            long requestedAt = pipeline.eventsOf(hold.getPaymentId()).get(0).getRequestedAtMs();
            assertThat(state.getHoldExpiresAtMs()).isEqualTo(requestedAt + java.time.Duration.ofDays(7).toMillis());
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind).endsWith(AuditKind.HOLD);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aHoldMustFitWhatIsAvailableAndReservesItFromOtherPayments() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest first = manual("alice", "bob", 400, null);
            PaymentRequest second = manual("alice", "bob", 200, null);
            PaymentRequest spend = aTransfer("alice", "bob", 150).build();
            pipeline.send(first);
            pipeline.send(second);
            pipeline.send(spend);

            assertFinal(second, PaymentStatus.REJECTED, RejectionReason.INSUFFICIENT_FUNDS);
            assertFinal(spend, PaymentStatus.REJECTED, RejectionReason.INSUFFICIENT_FUNDS);
            assertThat(pipeline.account("alice").getHeld()).isEqualTo(400);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aVoidReleasesTheWholeHoldOnceAndASecondVoidFails() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = manual("alice", "bob", 200, null);
            pipeline.send(hold);
            io.paystream.schemas.avro.PaymentAction cancel = voidOf(hold, "cancel");
            pipeline.send(cancel);
            pipeline.send(cancel);
            pipeline.send(voidOf(hold, "again"));

            assertThat(statusesOf(hold)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED,
                    PaymentStatus.VOIDED, PaymentStatus.VOID_FAILED);
            assertThat(pipeline.eventsOf(hold.getPaymentId()).get(2).getActionId()).isEqualTo(cancel.getActionId());
            assertThat(pipeline.eventsOf(hold.getPaymentId()).get(3).getReason())
                    .isEqualTo(RejectionReason.NOT_AUTHORIZED);
            PaymentState voided = assertFinal(hold, PaymentStatus.VOIDED, null);
            assertThat(voided.getActions()).extracting(a -> a.getType() + ":" + a.getSucceeded() + ":" + a.getReason())
                    .containsExactly("VOID:true:null", "VOID:false:NOT_AUTHORIZED");
            assertThat(pipeline.account("alice").getHeld()).isZero();
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.registry().counter("paystream.payments.duplicates").count()).isEqualTo(1.0);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aHoldExpiresInStreamTimeAndCannotBeVoidedAfter() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = manual("alice", "bob", 300, 60L);
            pipeline.send(hold);
            pipeline.advance(java.time.Duration.ofSeconds(59));
            fund("alice", 1);
            assertThat(pipeline.payment(hold.getPaymentId()).getStatus()).as("59 s of stream time later")
                    .isEqualTo(PaymentStatus.AUTHORIZED);

            // The next command for alice, past the hold's time, finds it expired before it is applied.
            pipeline.advance(java.time.Duration.ofSeconds(2));
            fund("alice", 2);

            assertFinal(hold, PaymentStatus.EXPIRED, null);
            assertThat(pipeline.account("alice").getHeld()).isZero();
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(503);
            pipeline.send(voidOf(hold, "too late"));
            assertThat(statusesOf(hold)).endsWith(PaymentStatus.EXPIRED, PaymentStatus.VOID_FAILED);
            assertFinal(hold, PaymentStatus.EXPIRED, null);
            pipeline.assertInvariantsHold();
        }

        private io.paystream.schemas.avro.PaymentAction captureOf(PaymentRequest payment, String label, Long amount) {
            return Fixtures.anAction(io.paystream.schemas.avro.ActionType.CAPTURE, payment.getPaymentId(), label)
                    .setAmount(amount).build();
        }

        @Test
        void aPartialCaptureMovesWhatIsCapturedAndReleasesTheRestOnce() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = manual("alice", "bob", 300, null);
            pipeline.send(hold);
            io.paystream.schemas.avro.PaymentAction capture = captureOf(hold, "ship", 200L);
            pipeline.send(capture);
            pipeline.send(captureOf(hold, "ship again", 50L));

            assertThat(statusesOf(hold)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.AUTHORIZED,
                    PaymentStatus.COMPLETED, PaymentStatus.CAPTURE_FAILED);
            PaymentEvent completed = pipeline.eventsOf(hold.getPaymentId()).get(2);
            assertThat(completed.getCapturedAmount()).isEqualTo(200);
            assertThat(completed.getActionId()).isEqualTo(capture.getActionId());
            assertThat(pipeline.eventsOf(hold.getPaymentId()).get(3).getReason())
                    .isEqualTo(RejectionReason.NOT_AUTHORIZED);
            PaymentState state = assertFinal(hold, PaymentStatus.COMPLETED, null);
            assertThat(state.getAuthorizedAmount()).isEqualTo(300);
            assertThat(state.getCapturedAmount()).isEqualTo(200);
            assertThat(state.getActions()).extracting(a -> a.getType() + ":" + a.getSucceeded() + ":" + a.getAmount())
                    .containsExactly("CAPTURE:true:200", "CAPTURE:false:50");
            assertThat(pipeline.registry().counter("paystream.payments", "currency", "USD", "reason", "none",
                    "status", "COMPLETED", "type", "TRANSFER").count()).as("a failed action finishes nothing twice")
                    .isEqualTo(1.0);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(300);
            assertThat(pipeline.account("alice").getHeld()).isZero();
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(200);
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind).containsSubsequence(AuditKind.HOLD,
                    AuditKind.HOLD_RELEASED, AuditKind.CAPTURE);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aCaptureBeyondTheHoldFailsAndLeavesItForAWholeCapture() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("shop", "USD", AccountType.MERCHANT);
            fund("alice", 500);
            PaymentRequest hold = aPayment(PaymentType.PAYMENT, "alice", "shop", 300)
                    .setCapture(io.paystream.schemas.avro.CaptureMode.MANUAL).build();
            pipeline.send(hold);
            pipeline.send(captureOf(hold, "too much", 301L));
            assertThat(statusesOf(hold)).endsWith(PaymentStatus.CAPTURE_FAILED);
            assertThat(pipeline.eventsOf(hold.getPaymentId()).get(2).getReason())
                    .isEqualTo(RejectionReason.EXCEEDS_AUTHORIZED);
            assertThat(pipeline.account("alice").getHeld()).isEqualTo(300);

            pipeline.send(captureOf(hold, "all", null));

            assertFinal(hold, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.payment(hold.getPaymentId()).getCapturedAmount()).isEqualTo(300);
            assertThat(pipeline.account("shop").getBalance()).isEqualTo(300);
            assertThat(pipeline.account("alice").getHeld()).isZero();
            pipeline.assertInvariantsHold();
        }

        @Test
        void aCaptureThePayeeCannotTakeComesBackToThePayer() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = manual("alice", "bob", 300, null);
            pipeline.send(hold);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "bob").build());
            pipeline.send(captureOf(hold, "ship", 100L));

            PaymentState state = assertFinal(hold, PaymentStatus.REVERSED, RejectionReason.ACCOUNT_INACTIVE);
            assertThat(state.getCapturedAmount()).isEqualTo(100);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.account("alice").getHeld()).isZero();
            pipeline.assertInvariantsHold();
        }

        /** With no other record arriving, a TICK that the ledger writes for itself moves its stream time on. */
        @Test
        void aHoldExpiresOnAQuietPartitionBecauseTheLedgerTicks() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = manual("alice", "bob", 300, 60L);
            pipeline.send(hold);

            pipeline.advanceWallClock(java.time.Duration.ofSeconds(30));
            assertThat(pipeline.payment(hold.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.AUTHORIZED);
            assertThat(pipeline.legs()).noneMatch(leg -> leg.getType() == LedgerCommandType.TICK);
            pipeline.advanceWallClock(java.time.Duration.ofSeconds(40));

            assertFinal(hold, PaymentStatus.EXPIRED, null);
            assertThat(pipeline.legs()).filteredOn(leg -> leg.getType() == LedgerCommandType.TICK).isNotEmpty();
            assertThat(pipeline.account("alice").getHeld()).isZero();
            pipeline.assertInvariantsHold();
        }

        @Test
        void aVoidOfAnUnknownOrFinishedPaymentFailsWithoutTouchingIt() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest paid = aTransfer("alice", "bob", 100).build();
            pipeline.send(paid);
            String unknown = Fixtures.paymentId("never sent");
            pipeline.send(Fixtures.anAction(io.paystream.schemas.avro.ActionType.VOID, unknown, "v").build());
            pipeline.send(voidOf(paid, "v"));

            assertThat(pipeline.eventsOf(unknown)).singleElement().satisfies(event -> {
                assertThat(event.getStatus()).isEqualTo(PaymentStatus.VOID_FAILED);
                assertThat(event.getReason()).isEqualTo(RejectionReason.UNKNOWN_PAYMENT);
            });
            assertThat(pipeline.payment(unknown)).isNull();
            assertThat(statusesOf(paid)).endsWith(PaymentStatus.COMPLETED, PaymentStatus.VOID_FAILED);
            assertFinal(paid, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(100);
            pipeline.assertInvariantsHold();
        }
    }

    /** The idempotency window (one hour here), and what answers a retry after it. */
    @Nested
    class IdempotencyWindow {
        private static final java.time.Duration WINDOW = java.time.Duration.ofHours(1);
        private final Pipeline windowed = new Pipeline(WINDOW);

        @AfterEach
        void closeWindowed() {
            windowed.close();
        }

        /**
         * Moves three windows on, then sends an unrelated request and an unrelated action: a window store drops its
         * old segments when a write moves its stream time, not when the clock does.
         */
        private void passTheWindow() {
            windowed.advance(WINDOW.multipliedBy(3));
            windowed.send(aTopUp("nobody", 1).build());
            windowed.send(Fixtures.anAction(io.paystream.schemas.avro.ActionType.VOID,
                    java.util.UUID.randomUUID().toString(), "unrelated").build());
        }

        @Test
        void aRequestIsRememberedForEverSoARetryAfterTheWindowIsStillADuplicate() {
            windowed.send(anOpen("alice", "USD", AccountType.CUSTOMER).build());
            PaymentRequest topUp = aTopUp("alice", 100).build();
            windowed.send(topUp);
            passTheWindow();
            assertThat(windowed.rememberedFingerprint(topUp.getPaymentId())).as("fingerprint after the window")
                    .isNotNull();

            windowed.send(topUp);

            assertThat(windowed.eventsOf(topUp.getPaymentId())).extracting(PaymentEvent::getStatus)
                    .containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED);
            assertThat(windowed.account("alice").getBalance()).isEqualTo(100);
            assertThat(windowed.registry().counter("paystream.payments.duplicates").count()).isEqualTo(1.0);
        }

        @Test
        void anotherRequestUnderAnOldIdIsAConflictAfterTheWindowToo() {
            windowed.send(anOpen("alice", "USD", AccountType.CUSTOMER).build());
            PaymentRequest topUp = aTopUp("alice", 100).build();
            windowed.send(topUp);
            passTheWindow();

            windowed.send(PaymentRequest.newBuilder(topUp).setAmount(100_000).build());

            assertThat(windowed.eventsOf(topUp.getPaymentId())).hasSize(2);
            assertThat(windowed.account("alice").getBalance()).isEqualTo(100);
            assertThat(windowed.audits()).filteredOn(a -> a.getReason() == RejectionReason.IDEMPOTENCY_CONFLICT)
                    .singleElement().satisfies(a -> assertThat(a.getPaymentId()).isEqualTo(topUp.getPaymentId()));
        }

        @Test
        void aRetryOfARejectedRequestAfterTheWindowIsNotRejectedAgain() {
            PaymentRequest invalid = aTransfer("alice", "alice", 10).build();
            windowed.send(invalid);
            passTheWindow();
            assertThat(windowed.rememberedFingerprint(invalid.getPaymentId())).as("a rejection is remembered too")
                    .isNotNull();

            windowed.send(invalid);

            assertThat(windowed.eventsOf(invalid.getPaymentId())).extracting(PaymentEvent::getStatus)
                    .containsExactly(PaymentStatus.REJECTED);
        }

        private PaymentRequest paidBetweenAliceAndBob(PaymentRequest.Builder payment) {
            windowed.send(anOpen("alice", "USD", AccountType.CUSTOMER).build());
            windowed.send(anOpen("bob", "USD", AccountType.CUSTOMER).build());
            windowed.send(aTopUp("alice", 1_000).build());
            PaymentRequest paid = payment.build();
            windowed.send(paid);
            return paid;
        }

        private long movements(AuditKind kind, String paymentId) {
            return windowed.audits().stream().filter(a -> a.getKind() == kind && paymentId.equals(a.getPaymentId()))
                    .count();
        }

        @Test
        void aRefundRetriedAfterTheWindowIsAnsweredFromTheStatusAndPaysOnce() {
            PaymentRequest transfer = paidBetweenAliceAndBob(aTransfer("alice", "bob", 300));
            io.paystream.schemas.avro.PaymentAction refund = Fixtures.anAction(
                    io.paystream.schemas.avro.ActionType.REFUND, transfer.getPaymentId(), "late").setAmount(100L)
                    .build();
            windowed.send(refund);
            passTheWindow();
            assertThat(windowed.rememberedActionFingerprints(refund.getActionId())).isEmpty();

            windowed.send(refund);
            windowed.send(io.paystream.schemas.avro.PaymentAction.newBuilder(refund).setAmount(200L).build());

            assertThat(movements(AuditKind.REFUND, transfer.getPaymentId())).isEqualTo(1);
            assertThat(windowed.account("bob").getBalance()).isEqualTo(200);
            assertThat(windowed.account("alice").getBalance()).isEqualTo(800);
            assertThat(windowed.payment(transfer.getPaymentId()).getRefundedAmount()).isEqualTo(100);
            assertThat(windowed.audits()).filteredOn(a -> a.getReason() == RejectionReason.IDEMPOTENCY_CONFLICT)
                    .as("the same id for another amount").hasSize(1);
            windowed.assertInvariantsHold();
        }

        @Test
        void aCaptureAndAVoidRetriedAfterTheWindowAreAnsweredFromTheStatusAndApplyOnce() {
            PaymentRequest captured = paidBetweenAliceAndBob(aTransfer("alice", "bob", 300)
                    .setCapture(io.paystream.schemas.avro.CaptureMode.MANUAL).setHoldExpiresInSeconds(604_800L));
            PaymentRequest voided = aTransfer("alice", "bob", 200)
                    .setCapture(io.paystream.schemas.avro.CaptureMode.MANUAL).setHoldExpiresInSeconds(604_800L)
                    .build();
            windowed.send(voided);
            io.paystream.schemas.avro.PaymentAction capture = Fixtures.anAction(
                    io.paystream.schemas.avro.ActionType.CAPTURE, captured.getPaymentId(), "late").build();
            io.paystream.schemas.avro.PaymentAction voiding = Fixtures.anAction(
                    io.paystream.schemas.avro.ActionType.VOID, voided.getPaymentId(), "late").build();
            windowed.send(capture);
            windowed.send(voiding);
            int before = windowed.eventsOf(captured.getPaymentId()).size() + windowed.eventsOf(voided.getPaymentId()).size();
            passTheWindow();

            windowed.send(capture);
            windowed.send(voiding);

            assertThat(windowed.eventsOf(captured.getPaymentId()).size()
                    + windowed.eventsOf(voided.getPaymentId()).size())
                    .as("nothing new: no CAPTURE_FAILED or VOID_FAILED for a retry").isEqualTo(before);
            assertThat(windowed.payment(captured.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.COMPLETED);
            assertThat(windowed.payment(voided.getPaymentId()).getStatus()).isEqualTo(PaymentStatus.VOIDED);
            assertThat(windowed.payment(captured.getPaymentId()).getActions()).singleElement()
                    .satisfies(outcome -> assertThat(outcome.getSucceeded()).isTrue());
            assertThat(movements(AuditKind.CAPTURE, captured.getPaymentId())).isEqualTo(1);
            assertThat(windowed.account("bob").getBalance()).isEqualTo(300);
            windowed.assertInvariantsHold();
        }

        @Test
        void anActionStampedInThePastIsRememberedAsOfStreamTime() {
            PaymentRequest transfer = paidBetweenAliceAndBob(aTransfer("alice", "bob", 300));
            passTheWindow();
            io.paystream.schemas.avro.PaymentAction refund = Fixtures.anAction(
                    io.paystream.schemas.avro.ActionType.REFUND, transfer.getPaymentId(), "backdated").setAmount(100L)
                    .build();
            java.time.Instant longAgo = Pipeline.START.minus(WINDOW.multipliedBy(10));

            windowed.send(refund, longAgo);
            // Stored at a timestamp older than the window, it would be dropped at once, and only the status view
            // (which a real broker updates a round trip later) would stand between a quick retry and a second refund.
            assertThat(windowed.rememberedActionFingerprints(refund.getActionId())).hasSize(1);
            windowed.send(refund, longAgo);

            assertThat(movements(AuditKind.REFUND, transfer.getPaymentId())).isEqualTo(1);
            assertThat(windowed.account("bob").getBalance()).isEqualTo(200);
        }
    }

    @Nested
    class AccountLifecycle {
        @Test
        void opensFreezesUnfreezesLimitsAndClosesAnAccount() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("alice", "USD", AccountType.CUSTOMER);
            open("alice", "EUR", AccountType.CUSTOMER);
            fund("alice", 100);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "alice").build());
            assertThat(pipeline.account("alice").getStatus()).isEqualTo(AccountStatus.FROZEN);
            pipeline.send(anAccountRequest(AccountCommandType.UNFREEZE, "alice").build());
            pipeline.send(anAccountRequest(AccountCommandType.SET_LIMIT, "alice").setOverdraftLimit(25L).build());
            assertThat(pipeline.account("alice").getOverdraftLimit()).isEqualTo(25);
            pipeline.send(anAccountRequest(AccountCommandType.CLOSE, "alice").setRequestId("close-1").build());
            assertThat(pipeline.account("alice").getStatus()).isEqualTo(AccountStatus.ACTIVE);
            pipeline.send(aWithdrawal("alice", 100).build());
            pipeline.send(anAccountRequest(AccountCommandType.CLOSE, "alice").setRequestId("close-2").build());

            assertThat(pipeline.account("alice").getStatus()).isEqualTo(AccountStatus.CLOSED);
            assertThat(auditsOf("alice")).extracting(a -> a.getKind() + (a.getReason() == null ? "" : ":" + a.getReason()))
                    .containsExactly("ACCOUNT_OPENED", "REJECTION:INVALID_REQUEST", "CREDIT", "ACCOUNT_FROZEN",
                            "ACCOUNT_UNFROZEN", "LIMIT_CHANGED", "REJECTION:INVALID_REQUEST", "DEBIT",
                            "ACCOUNT_CLOSED");
        }

        @Test
        void anAccountKeepsTheEmailItWasOpenedWithAndARetryWithAnotherIsRefused() {
            pipeline.send(anOpen("alice", "USD", AccountType.CUSTOMER).setEmail("alice@example.com").build());
            pipeline.send(anOpen("alice", "USD", AccountType.CUSTOMER).setEmail("alice@example.com")
                    .setRequestId("open-again").build());
            pipeline.send(anOpen("alice", "USD", AccountType.CUSTOMER).setEmail("eve@example.com")
                    .setRequestId("open-eve").build());
            pipeline.send(anOpen("bob", "USD", AccountType.CUSTOMER).setEmail("bob@example\r\nBcc: x@y.z").build());

            assertThat(pipeline.account("alice").getEmail()).isEqualTo("alice@example.com");
            assertThat(auditsOf("alice")).extracting(a -> a.getKind() + (a.getReason() == null ? "" : ":" + a.getReason()))
                    .containsExactly("ACCOUNT_OPENED", "REJECTION:INVALID_REQUEST");
            assertThat(pipeline.account("bob")).as("an address that could inject a header").isNull();
        }

        @Test
        void anInvalidAccountRequestIsJournalledAsInvalid() {
            pipeline.send(anOpen("alice", "usd", AccountType.CUSTOMER).build());

            assertThat(pipeline.account("alice")).isNull();
            assertThat(pipeline.legs()).isEmpty();
            assertThat(auditsOf("alice")).singleElement().satisfies(a -> {
                assertThat(a.getReason()).isEqualTo(RejectionReason.INVALID_REQUEST);
                assertThat(a.getDetail()).contains("currency");
            });
        }
    }

    /** Each client may open a bounded number of accounts; the count lives on one task per client. */
    @Nested
    class AccountQuotas {
        private final Pipeline quotaOfTwo = new Pipeline(2);

        @AfterEach
        void closeIt() {
            quotaOfTwo.close();
        }

        private void openAs(String client, String accountId, String requestId) {
            quotaOfTwo.send(anOpen(accountId, "USD", AccountType.CUSTOMER).setClientId(client)
                    .setRequestId(requestId).build());
        }

        @Test
        void aClientOpensItsQuotaOfAccountsAndTheNextIsRefusedAndJournalled() {
            openAs("acme", "acme-1", "r1");
            openAs("acme", "acme-2", "r2");
            openAs("acme", "acme-3", "r3");

            assertThat(quotaOfTwo.account("acme-1")).isNotNull();
            assertThat(quotaOfTwo.account("acme-2")).isNotNull();
            assertThat(quotaOfTwo.account("acme-3")).as("beyond the quota").isNull();
            assertThat(quotaOfTwo.audits()).filteredOn(a -> a.getAccountId().equals("acme-3")).singleElement()
                    .satisfies(a -> {
                        assertThat(a.getKind()).isEqualTo(AuditKind.REJECTION);
                        assertThat(a.getReason()).isEqualTo(RejectionReason.NOT_PERMITTED);
                        assertThat(a.getDetail()).isEqualTo("client acme has opened its quota of 2 accounts");
                    });
            quotaOfTwo.assertInvariantsHold();
        }

        @Test
        void aRetriedOpenDoesNotCountTwiceAndAnotherClientHasItsOwnQuota() {
            openAs("acme", "acme-1", "r1");
            openAs("acme", "acme-1", "r1-retry");
            openAs("acme", "acme-1", "r1-retry-again");
            openAs("acme", "acme-2", "r2");
            openAs("globex", "globex-1", "g1");
            openAs("globex", "globex-2", "g2");
            // Full: a retry of an account it has is still answered as an open, a new one is not.
            openAs("acme", "acme-2", "r2-retry");
            openAs("acme", "acme-3", "r3");

            assertThat(quotaOfTwo.accounts()).extracting(AccountState::getAccountId)
                    .containsExactlyInAnyOrder("acme-1", "acme-2", "globex-1", "globex-2");
            assertThat(quotaOfTwo.audits()).filteredOn(a -> a.getReason() == RejectionReason.NOT_PERMITTED)
                    .extracting(AuditRecord::getAccountId).containsExactly("acme-3");
            assertThat(quotaOfTwo.legs()).filteredOn(leg -> leg.getType() == LedgerCommandType.OPEN)
                    .allSatisfy(leg -> assertThat(leg.getClientId()).isIn("acme", "globex"))
                    .extracting(LedgerCommand::getAccountId).doesNotContain("acme-3");
        }

        @Test
        void anOpenWithoutAClientIsNotCounted() {
            for (int i = 1; i <= 3; i++) {
                quotaOfTwo.send(anOpen("ops-" + i, "USD", AccountType.CUSTOMER).setRequestId("o" + i).build());
            }

            assertThat(quotaOfTwo.accounts()).hasSize(3);
        }
    }

    @Nested
    class PoisonPills {
        // TopologyTestDriver does not capture the records that Kafka Streams' deserialization handler writes to the
        // dead-letter topic; ProcessorApplicationIT asserts their content and headers against a real broker.
        @Test
        void anUndecodableRequestIsCountedAndProcessingContinues() {
            pipeline.sendRaw(Topics.PAYMENT_REQUESTS.name(), "k".getBytes(StandardCharsets.UTF_8),
                    "{\"not\":\"avro\"}".getBytes(StandardCharsets.UTF_8));
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = aTopUp("alice", 100).build();
            pipeline.send(topUp);

            assertFinal(topUp, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.registry().counter("paystream.dlq.records", "stage", "deserialization", "topic",
                    Topics.PAYMENT_REQUESTS.name()).count()).isEqualTo(1.0);
        }

        @Test
        void undecodableLedgerAndAccountRecordsAreCountedPerTopic() {
            pipeline.sendRaw(Topics.LEDGER.name(), null, new byte[] {(byte) 0xC3, 0x01, 1, 2});
            pipeline.sendRaw(Topics.ACCOUNT_REQUESTS.name(), null, new byte[] {0});

            assertThat(pipeline.registry().find("paystream.dlq.records").counters()).filteredOn(c -> c.count() > 0)
                    .extracting(c -> c.getId().getTag("stage") + ":" + c.getId().getTag("topic") + "=" + c.count())
                    .containsExactlyInAnyOrder("deserialization:" + Topics.LEDGER.name() + "=1.0",
                            "deserialization:" + Topics.ACCOUNT_REQUESTS.name() + "=1.0");
        }

        @Test
        void aRequestKeyedByAnotherIdIsDeadLetteredNotProcessed() {
            PaymentRequest topUp = aTopUp("alice", 100).build();
            pipeline.sendRaw(Topics.PAYMENT_REQUESTS.name(), "some-other-key".getBytes(StandardCharsets.UTF_8),
                    Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize("t", topUp));

            assertThat(pipeline.events()).isEmpty();
            assertThat(pipeline.deadLetters()).singleElement().satisfies(d -> assertThat(
                    header(d.headers(), "__streams.errors.message")).contains("is not the request's paymentId"));
        }

        /** An id of any length would reach the stores, the events and the sinks' 36-character columns. */
        @Test
        void aRequestWhoseIdIsNotAUuidIsDeadLetteredNotRejected() {
            String longId = "x".repeat(5_000);
            PaymentRequest topUp = aTopUp("alice", 100).setPaymentId(longId).build();
            pipeline.sendRaw(Topics.PAYMENT_REQUESTS.name(), longId.getBytes(StandardCharsets.UTF_8),
                    Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize("t", topUp));

            assertThat(pipeline.events()).isEmpty();
            assertThat(pipeline.audits()).isEmpty();
            assertThat(pipeline.deadLetters()).singleElement().satisfies(d -> assertThat(
                    header(d.headers(), "__streams.errors.message")).contains("is not a lower-case UUID")
                    .contains("(5000 characters)").hasSizeLessThan(300));
        }

        /** The rejection names the broken field; it never copies a value nobody validated into an event. */
        @Test
        void aRejectionCarriesOnlyTheFieldsThatPassedValidation() {
            PaymentRequest hostile = aTransfer("alice", "b".repeat(500), 10).setReference("r".repeat(10_000))
                    .setCurrency("US\u202ED").build();
            pipeline.send(hostile);

            PaymentState state = assertFinal(hostile, PaymentStatus.REJECTED, RejectionReason.INVALID_REQUEST);
            assertThat(state.getDetail()).contains("to");
            assertThat(pipeline.eventsOf(hostile.getPaymentId())).singleElement().satisfies(event -> {
                assertThat(event.getFrom()).isEqualTo("alice");
                assertThat(event.getTo()).isNull();
                assertThat(event.getCurrency()).isNull();
                assertThat(event.getReference()).isNull();
                assertThat(event.getAmount()).isEqualTo(10);
            });
            assertThat(auditsOf("alice")).singleElement().satisfies(a -> assertThat(a.getCurrency()).isNull());
        }

        @Test
        void aTombstoneRequestIsDeadLettered() {
            pipeline.sendRaw(Topics.PAYMENT_REQUESTS.name(), "k".getBytes(StandardCharsets.UTF_8), null);

            assertThat(pipeline.events()).isEmpty();
            assertThat(pipeline.deadLetters()).hasSize(1);
        }
    }

    @Nested
    class BusinessMetrics {
        private double counter(String name, String... tags) {
            return pipeline.registry().get(name).tags(tags).counter().count();
        }

        @Test
        void aSettledTransferLeavesNothingInFlight() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 300);
            pipeline.send(aTransfer("alice", "bob", 100).build());

            assertThat(pipeline.flow(InFlight.countKey("USD"))).isZero();
            assertThat(pipeline.flow(InFlight.amountKey("USD"))).isZero();
        }

        @Test
        void inFlightTotalsBeyondTheRangeOfALongLoseNoMoney() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 1_000_000_000_000_000L);
            fund("alice", 999_999_999_999_999L);
            // A task whose accounts mostly send money only ever adds to its totals; start this one at the edge.
            BigInteger edge = BigInteger.valueOf(Long.MAX_VALUE - 10);
            pipeline.setFlow(InFlight.countKey("USD"), edge);
            pipeline.setFlow(InFlight.amountKey("USD"), edge);
            // The debit's +10^15 takes the amount total past Long.MAX_VALUE before the credit takes it back; with
            // long totals that add threw after the debit was stored, and the payment lost its credit leg.
            PaymentRequest large = aTransfer("alice", "bob", 1_000_000_000_000_000L).build();
            pipeline.send(large);
            PaymentRequest after = aTransfer("alice", "bob", 500).build();
            pipeline.send(after);

            assertThat(pipeline.status(large.getPaymentId())).isEqualTo(PaymentStatus.COMPLETED);
            assertThat(pipeline.status(after.getPaymentId())).isEqualTo(PaymentStatus.COMPLETED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(999_999_999_999_499L);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(1_000_000_000_000_500L);
            assertThat(pipeline.flow(InFlight.countKey("USD"))).isEqualTo(edge);
            assertThat(pipeline.flow(InFlight.amountKey("USD"))).isEqualTo(edge);
            assertThat(pipeline.deadLetters()).isEmpty();
            pipeline.assertInvariantsHold();
        }

        @Test
        void aCreditLegWithoutItsDebitCountsAsOnePaymentClosed() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 300);
            // A second leg with no first leg before it: the task that applies it records one payment closed.
            pipeline.sendToLedger(Fixtures.aLeg(LedgerCommandType.CREDIT, PaymentType.TRANSFER, "alice", "bob", 40)
                    .build());

            assertThat(pipeline.flow(InFlight.countKey("USD"))).isEqualTo(BigInteger.valueOf(-1));
            assertThat(pipeline.flow(InFlight.amountKey("USD"))).isEqualTo(BigInteger.valueOf(-40));
        }

        @Test
        void aReversalIsCountedWithItsReasonAndClosesThePayment() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 300);
            pipeline.send(aPayment(PaymentType.PAYMENT, "alice", "bob", 100).build());

            assertThat(counter("paystream.payments.reversals", "currency", "USD", "reason", "INVALID_REQUEST"))
                    .isEqualTo(1.0);
            assertThat(pipeline.flow(InFlight.countKey("USD"))).isZero();
        }

        @Test
        void volumeOverTheLastMinuteSumsCompletedPaymentsPerCurrency() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            open("eve", "EUR", AccountType.CUSTOMER);
            fund("alice", 300);
            pipeline.send(aTopUp("eve", 70).setCurrency("EUR").build());
            pipeline.send(aTransfer("alice", "bob", 100).build());
            pipeline.send(aTransfer("alice", "bob", 1_000).build()); // insufficient funds: not volume

            assertThat(pipeline.registry().get("paystream.payments.volume.last.minute").tags("currency", "USD")
                    .gauge().value()).isEqualTo(400.0);
            assertThat(pipeline.registry().get("paystream.payments.volume.last.minute").tags("currency", "EUR")
                    .gauge().value()).isEqualTo(70.0);
        }

        @Test
        void alertedSeriesExistAtZeroBeforeAnythingHappens() {
            assertThat(counter("paystream.dlq.records", "stage", "deserialization", "topic",
                    Topics.PAYMENT_REQUESTS.name())).isZero();
            assertThat(counter("paystream.dlq.records", "stage", "processing", "topic", Topics.LEDGER.name()))
                    .isZero();
            assertThat(counter("paystream.payments.duplicates")).isZero();
            assertThat(counter("paystream.payments.idempotency.conflicts")).isZero();
        }
    }

    private static String header(Headers headers, String name) {
        return headers.lastHeader(name) == null ? null
                : new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Refunds of completed payments: partial, several, never more than completed, decided by the payee (issue 14). */
    @Nested
    class Refunds {
        private io.paystream.schemas.avro.PaymentAction refundOf(PaymentRequest payment, String label, long amount) {
            return Fixtures.anAction(io.paystream.schemas.avro.ActionType.REFUND, payment.getPaymentId(), label)
                    .setAmount(amount).setReason("returned: " + label).build();
        }

        private PaymentRequest paid(long amount) {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest transfer = aTransfer("alice", "bob", amount).build();
            pipeline.send(transfer);
            return transfer;
        }

        private List<io.paystream.schemas.avro.RefundState> refundsOf(PaymentRequest payment) {
            return pipeline.payment(payment.getPaymentId()).getRefunds();
        }

        @Test
        void aRefundDebitsThePayeeAndCreditsThePayerAndThePaymentStaysCompleted() {
            PaymentRequest transfer = paid(300);
            io.paystream.schemas.avro.PaymentAction refund = refundOf(transfer, "damaged", 300);
            pipeline.send(refund);

            assertThat(statusesOf(transfer)).containsExactly(PaymentStatus.ACCEPTED, PaymentStatus.COMPLETED,
                    PaymentStatus.REFUND_PENDING, PaymentStatus.REFUND_SUCCEEDED);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.account("bob").getBalance()).isZero();
            PaymentState state = assertFinal(transfer, PaymentStatus.COMPLETED, null);
            assertThat(state.getRefundedAmount()).isEqualTo(300);
            assertThat(state.getRefunds()).singleElement().satisfies(r -> {
                assertThat(r.getActionId()).isEqualTo(refund.getActionId());
                assertThat(r.getAmount()).isEqualTo(300);
                assertThat(r.getStatus()).isEqualTo(io.paystream.schemas.avro.RefundStatus.SUCCEEDED);
                assertThat(r.getReason()).isEqualTo("returned: damaged");
                assertThat(r.getFailureReason()).isNull();
            });
            assertThat(auditsOf("bob")).extracting(AuditRecord::getKind)
                    .containsSubsequence(AuditKind.CREDIT, AuditKind.REFUND);
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind).endsWith(AuditKind.REFUND_CREDIT);
            assertThat(auditsOf("alice").get(auditsOf("alice").size() - 1).getActionId())
                    .isEqualTo(refund.getActionId());
            assertThat(pipeline.notifications()).filteredOn(n -> n.getStatus() == PaymentStatus.REFUND_SUCCEEDED)
                    .extracting(n -> n.getAccountId() + ":" + n.getRole() + ":" + n.getAmount())
                    .containsExactlyInAnyOrder("alice:PAYER:300", "bob:PAYEE:300");
            assertThat(pipeline.flow(io.paystream.processor.ledger.InFlight.countKey("USD")).longValue())
                    .as("nothing left in flight").isZero();
            pipeline.assertInvariantsHold();
        }

        @Test
        void partialRefundsOfACaptureNeverExceedWhatWasCaptured() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest hold = aTransfer("alice", "bob", 300)
                    .setCapture(io.paystream.schemas.avro.CaptureMode.MANUAL).build();
            pipeline.send(hold);
            pipeline.send(Fixtures.anAction(io.paystream.schemas.avro.ActionType.CAPTURE, hold.getPaymentId(),
                    "ship").setAmount(200L).build());
            pipeline.send(refundOf(hold, "first", 80));
            pipeline.send(refundOf(hold, "second", 80));
            io.paystream.schemas.avro.PaymentAction third = refundOf(hold, "third", 80);
            pipeline.send(third);

            PaymentState state = assertFinal(hold, PaymentStatus.COMPLETED, null);
            assertThat(state.getCapturedAmount()).isEqualTo(200);
            assertThat(state.getRefundedAmount()).isEqualTo(160);
            assertThat(state.getRefunds()).extracting(r -> r.getAmount() + ":" + r.getStatus() + ":"
                    + r.getFailureReason()).containsExactly("80:SUCCEEDED:null", "80:SUCCEEDED:null",
                    "80:FAILED:EXCEEDS_REFUNDABLE");
            assertThat(state.getRefunds().get(2).getDetail()).contains("40 of the 200");
            assertThat(pipeline.registry().counter("paystream.refunds", "currency", "USD", "outcome", "SUCCEEDED",
                    "reason", "none").count()).isEqualTo(2.0);
            assertThat(pipeline.registry().counter("paystream.refunds", "currency", "USD", "outcome", "FAILED",
                    "reason", "EXCEEDS_REFUNDABLE").count()).isEqualTo(1.0);
            assertThat(pipeline.registry().counter("paystream.refunds.amount", "currency", "USD", "outcome",
                    "SUCCEEDED").count()).isEqualTo(160.0);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500 - 200 + 160);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(40);
            // What is left can still be refunded.
            pipeline.send(refundOf(hold, "rest", 40));
            assertThat(pipeline.payment(hold.getPaymentId()).getRefundedAmount()).isEqualTo(200);
            assertThat(pipeline.account("bob").getBalance()).isZero();
            pipeline.assertInvariantsHold();
        }

        @Test
        void onlyACompletedTransferOrPaymentIsRefunded() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 500);
            PaymentRequest authorized = aTransfer("alice", "bob", 100)
                    .setCapture(io.paystream.schemas.avro.CaptureMode.MANUAL).build();
            PaymentRequest rejected = aTransfer("alice", "bob", 10_000).build();
            PaymentRequest topUp = aTopUp("bob", 50).build();
            pipeline.send(authorized);
            pipeline.send(rejected);
            pipeline.send(topUp);
            pipeline.send(refundOf(authorized, "a", 10));
            pipeline.send(refundOf(rejected, "b", 10));
            pipeline.send(refundOf(topUp, "c", 10));
            String unknown = Fixtures.paymentId("never paid");
            pipeline.send(Fixtures.anAction(io.paystream.schemas.avro.ActionType.REFUND, unknown, "d")
                    .setAmount(10L).build());

            assertThat(refundsOf(authorized)).singleElement().satisfies(r ->
                    assertThat(r.getFailureReason()).isEqualTo(RejectionReason.PAYMENT_NOT_COMPLETED));
            assertThat(refundsOf(rejected)).singleElement().satisfies(r ->
                    assertThat(r.getFailureReason()).isEqualTo(RejectionReason.PAYMENT_NOT_COMPLETED));
            assertThat(refundsOf(topUp)).singleElement().satisfies(r ->
                    assertThat(r.getFailureReason()).isEqualTo(RejectionReason.INVALID_REQUEST));
            assertThat(pipeline.eventsOf(unknown)).singleElement().satisfies(e -> {
                assertThat(e.getStatus()).isEqualTo(PaymentStatus.REFUND_FAILED);
                assertThat(e.getReason()).isEqualTo(RejectionReason.UNKNOWN_PAYMENT);
            });
            assertThat(pipeline.legs()).noneMatch(l -> l.getType() == io.paystream.schemas.avro.LedgerCommandType.REFUND);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(50);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aPayeeThatSpentTheMoneyOrIsFrozenCannotRefund() {
            PaymentRequest transfer = paid(300);
            open("carol", "USD", AccountType.CUSTOMER);
            pipeline.send(aTransfer("bob", "carol", 250).build());
            pipeline.send(refundOf(transfer, "spent", 100));
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "bob").build());
            pipeline.send(refundOf(transfer, "frozen", 10));

            assertThat(refundsOf(transfer)).extracting(r -> r.getStatus() + ":" + r.getFailureReason())
                    .containsExactly("FAILED:INSUFFICIENT_FUNDS", "FAILED:ACCOUNT_INACTIVE");
            assertThat(pipeline.payment(transfer.getPaymentId()).getRefundedAmount()).isZero();
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(50);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(200);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aPayerThatCannotTakeTheRefundLeavesThePayeeWhole() {
            PaymentRequest transfer = paid(300);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "alice").build());
            pipeline.send(refundOf(transfer, "while frozen", 300));

            assertThat(refundsOf(transfer)).singleElement().satisfies(r -> {
                assertThat(r.getStatus()).isEqualTo(io.paystream.schemas.avro.RefundStatus.FAILED);
                assertThat(r.getFailureReason()).isEqualTo(RejectionReason.ACCOUNT_INACTIVE);
            });
            assertThat(auditsOf("bob")).extracting(AuditRecord::getKind)
                    .endsWith(AuditKind.REFUND, AuditKind.REFUND_REVERSAL);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(300);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(200);

            // The money came back to the payee, so the whole payment can be refunded again.
            pipeline.send(anAccountRequest(AccountCommandType.UNFREEZE, "alice").build());
            pipeline.send(refundOf(transfer, "after", 300));
            assertThat(pipeline.payment(transfer.getPaymentId()).getRefundedAmount()).isEqualTo(300);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(500);
            assertThat(pipeline.flow(io.paystream.processor.ledger.InFlight.amountKey("USD")).longValue()).isZero();
            pipeline.assertInvariantsHold();
        }

        @Test
        void aRepeatedRefundIsDroppedAndAReusedIdIsAConflict() {
            PaymentRequest transfer = paid(300);
            io.paystream.schemas.avro.PaymentAction refund = refundOf(transfer, "once", 100);
            pipeline.send(refund);
            pipeline.send(refund);
            pipeline.send(io.paystream.schemas.avro.PaymentAction.newBuilder(refund).setAmount(200L).build());

            assertThat(refundsOf(transfer)).hasSize(1);
            assertThat(pipeline.payment(transfer.getPaymentId()).getRefundedAmount()).isEqualTo(100);
            assertThat(pipeline.registry().counter("paystream.payments.duplicates").count()).isEqualTo(1.0);
            assertThat(pipeline.registry().counter("paystream.payments.idempotency.conflicts").count())
                    .isEqualTo(1.0);
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(200);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aRefundWithoutAnAmountOrWithAnUnprintableReasonIsDeadLettered() {
            PaymentRequest transfer = paid(300);
            pipeline.send(Fixtures.anAction(io.paystream.schemas.avro.ActionType.REFUND, transfer.getPaymentId(),
                    "no amount").build());
            pipeline.send(Fixtures.anAction(io.paystream.schemas.avro.ActionType.REFUND, transfer.getPaymentId(),
                    "bidi").setAmount(10L).setReason("refund \u202e01").build());

            assertThat(pipeline.registry().counter("paystream.dlq.records", "stage", "processing",
                    "topic", Topics.PAYMENT_ACTIONS.name()).count()).isEqualTo(2.0);
            assertThat(refundsOf(transfer)).isEmpty();
            assertThat(pipeline.account("bob").getBalance()).isEqualTo(300);
        }
    }

    @Nested
    class CardTopUps {
        private PaymentRequest cardTopUp(String to, long amount, String token) {
            return aTopUp(to, amount).setSource(io.paystream.schemas.avro.PaymentSource.newBuilder()
                    .setType(io.paystream.schemas.avro.SourceType.CARD).setToken(token).build()).build();
        }

        private io.paystream.schemas.avro.AcquirerResult result(io.paystream.schemas.avro.AcquirerRequest charge,
                io.paystream.schemas.avro.ChargeStatus status, String declineCode) {
            return io.paystream.schemas.avro.AcquirerResult.newBuilder().setPaymentId(charge.getPaymentId())
                    .setTo(charge.getTo()).setAmount(charge.getAmount()).setCurrency(charge.getCurrency())
                    .setStatus(status).setChargeId(status == io.paystream.schemas.avro.ChargeStatus.APPROVED
                            ? "ch_1" : null).setDeclineCode(declineCode).setDecidedAtMs(1)
                    .setRequestedAtMs(charge.getRequestedAtMs()).setReference(charge.getReference()).build();
        }

        @Test
        void nothingIsCreditedUntilTheChargeIsApprovedAndADuplicateAnswerCreditsNothingMore() {
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = cardTopUp("alice", 5_000, "tok_visa");
            pipeline.send(topUp);

            assertThat(statusesOf(topUp)).containsExactly(PaymentStatus.ACCEPTED);
            assertThat(pipeline.account("alice").getBalance()).isZero();
            assertThat(pipeline.legs()).filteredOn(leg -> topUp.getPaymentId().equals(leg.getPaymentId()))
                    .as("checked on the payee's task, in intake's step, before the card is charged").isEmpty();
            io.paystream.schemas.avro.AcquirerRequest charge = pipeline.charges().get(0);
            assertThat(pipeline.charges()).hasSize(1);
            assertThat(charge.getPaymentId()).isEqualTo(topUp.getPaymentId());
            assertThat(charge.getToken()).isEqualTo("tok_visa");
            assertThat(charge.getAmount()).isEqualTo(5_000);
            assertThat(charge.getTo()).isEqualTo("alice");

            pipeline.sendResult(result(charge, io.paystream.schemas.avro.ChargeStatus.APPROVED, null));
            pipeline.sendResult(result(charge, io.paystream.schemas.avro.ChargeStatus.APPROVED, null));
            pipeline.sendResult(result(charge, io.paystream.schemas.avro.ChargeStatus.DECLINED, "card_declined"));

            PaymentState completed = assertFinal(topUp, PaymentStatus.COMPLETED, null);
            assertThat(completed.getCreatedAtMs()).as("created when accepted, not when the acquirer answered")
                    .isEqualTo(charge.getRequestedAtMs());
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(5_000);
            assertThat(auditsOf("alice")).extracting(AuditRecord::getKind)
                    .containsExactly(AuditKind.ACCOUNT_OPENED, AuditKind.CREDIT);
            assertThat(pipeline.registry().get("paystream.card.charge.results.duplicate").counter().count())
                    .isEqualTo(1);
            assertThat(pipeline.deadLetters()).as("a decline after the approval contradicts it").hasSize(1);
            pipeline.assertInvariantsHold();
        }

        @Test
        void aDeclinedChargeRejectsThePaymentWithTheAcquirersCodeAndTellsThePayee() {
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = cardTopUp("alice", 5_000, "tok_insufficient_funds");
            pipeline.send(topUp);
            io.paystream.schemas.avro.AcquirerRequest charge = pipeline.charges().get(0);

            pipeline.sendResult(result(charge, io.paystream.schemas.avro.ChargeStatus.DECLINED,
                    "insufficient_funds"));
            pipeline.sendResult(result(charge, io.paystream.schemas.avro.ChargeStatus.APPROVED, null));

            PaymentState state = assertFinal(topUp, PaymentStatus.REJECTED, RejectionReason.CARD_DECLINED);
            assertThat(state.getDetail()).isEqualTo("the acquirer declined the card: insufficient_funds");
            assertThat(pipeline.account("alice").getBalance()).isZero();
            assertThat(pipeline.deadLetters()).as("an approval after the decline contradicts it").hasSize(1);
            assertThat(auditsOf("alice")).filteredOn(a -> a.getReason() == RejectionReason.CARD_DECLINED).hasSize(1);
            assertThat(pipeline.notifications()).filteredOn(n -> n.getPaymentId().equals(topUp.getPaymentId()))
                    .singleElement().satisfies(n -> {
                        assertThat(n.getStatus()).isEqualTo(PaymentStatus.REJECTED);
                        assertThat(n.getAccountId()).isEqualTo("alice");
                    });
            pipeline.assertInvariantsHold();
        }

        @Test
        void noCardIsChargedForACreditThePayeeWouldRefuseNow() {
            open("frozen", "USD", AccountType.CUSTOMER);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "frozen").build());
            open("euro", "EUR", AccountType.CUSTOMER);
            PaymentRequest toNobody = cardTopUp("ghost-zz-1", 500, "tok_approve");
            PaymentRequest toFrozen = cardTopUp("frozen", 500, "tok_approve");
            PaymentRequest inAnotherCurrency = cardTopUp("euro", 500, "tok_approve");
            for (PaymentRequest topUp : List.of(toNobody, toFrozen, inAnotherCurrency)) {
                pipeline.send(topUp);
            }

            assertThat(pipeline.charges()).as("no card charged").isEmpty();
            assertFinal(toNobody, PaymentStatus.REJECTED, RejectionReason.ACCOUNT_NOT_FOUND);
            assertFinal(toFrozen, PaymentStatus.REJECTED, RejectionReason.ACCOUNT_INACTIVE);
            assertFinal(inAnotherCurrency, PaymentStatus.REJECTED, RejectionReason.CURRENCY_MISMATCH);
            assertThat(pipeline.notifications()).filteredOn(n -> n.getPaymentId().equals(toFrozen.getPaymentId()))
                    .singleElement().satisfies(n -> assertThat(n.getAccountId()).isEqualTo("frozen"));
            pipeline.assertInvariantsHold();
        }

        @Test
        void anApprovalThePayeeCanNoLongerTakeIsRefundedAndOwedUntilTheAcquirerConfirms() {
            open("alice", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = cardTopUp("alice", 5_000, "tok_approve");
            pipeline.send(topUp);
            io.paystream.schemas.avro.AcquirerRequest charge = pipeline.charges().get(0);
            pipeline.send(anAccountRequest(AccountCommandType.FREEZE, "alice").build());

            pipeline.sendResult(result(charge, io.paystream.schemas.avro.ChargeStatus.APPROVED, null));

            assertThat(pipeline.account("alice").getBalance()).isZero();
            assertThat(statusesOf(topUp)).as("not over until the cardholder has the money back")
                    .containsExactly(PaymentStatus.ACCEPTED);
            assertThat(pipeline.charges()).hasSize(2).last().satisfies(refund -> {
                assertThat(refund.getOperation()).isEqualTo(io.paystream.schemas.avro.AcquirerOperation.REFUND);
                assertThat(refund.getChargeId()).isEqualTo("ch_1");
                assertThat(refund.getAmount()).isEqualTo(5_000);
            });
            assertThat(auditsOf("alice")).filteredOn(a -> a.getKind() == AuditKind.CHARGE_REFUND_OWED)
                    .singleElement().satisfies(owed -> assertThat(owed.getAmount()).isEqualTo(5_000));
            pipeline.assertInvariantsHold();

            io.paystream.schemas.avro.AcquirerResult refunded = io.paystream.schemas.avro.AcquirerResult
                    .newBuilder(result(charge, io.paystream.schemas.avro.ChargeStatus.REFUNDED, null))
                    .setChargeId("ch_1").setRefundId("re_1").build();
            pipeline.sendResult(refunded);
            pipeline.sendResult(refunded);

            PaymentState rejected = assertFinal(topUp, PaymentStatus.REJECTED, RejectionReason.ACCOUNT_INACTIVE);
            assertThat(rejected.getDetail()).contains("the card charge ch_1 was refunded");
            assertThat(auditsOf("alice")).filteredOn(a -> a.getKind() == AuditKind.CHARGE_REFUNDED)
                    .singleElement().satisfies(back -> assertThat(back.getAmount()).isEqualTo(-5_000));
            assertThat(pipeline.charges()).as("one refund, whatever the answers").hasSize(2);
            assertThat(pipeline.registry().get("paystream.card.charge.results.duplicate").counter().count())
                    .isEqualTo(1);
            pipeline.assertInvariantsHold();
        }

        @Test
        void anAnswerThatDoesNotFitTheChargeAskedForIsDeadLetteredAndTheRightOneStillCredits() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("mallory", "USD", AccountType.CUSTOMER);
            PaymentRequest topUp = cardTopUp("alice", 5_000, "tok_approve");
            pipeline.send(topUp);
            io.paystream.schemas.avro.AcquirerRequest charge = pipeline.charges().get(0);
            io.paystream.schemas.avro.AcquirerResult approved = result(charge,
                    io.paystream.schemas.avro.ChargeStatus.APPROVED, null);

            pipeline.sendResult(io.paystream.schemas.avro.AcquirerResult.newBuilder(approved).setTo("mallory").build());
            pipeline.sendResult(io.paystream.schemas.avro.AcquirerResult.newBuilder(approved).setAmount(50_000)
                    .build());
            pipeline.sendResult(io.paystream.schemas.avro.AcquirerResult.newBuilder(approved).setCurrency("EUR")
                    .build());
            pipeline.sendResult(io.paystream.schemas.avro.AcquirerResult.newBuilder(approved)
                    .setPaymentId(Fixtures.paymentId("never-asked")).build());

            assertThat(pipeline.deadLetters()).hasSize(4);
            assertThat(pipeline.account("mallory").getBalance()).isZero();
            assertThat(pipeline.account("alice").getBalance()).isZero();

            pipeline.sendResult(approved);

            assertFinal(topUp, PaymentStatus.COMPLETED, null);
            assertThat(pipeline.account("alice").getBalance()).isEqualTo(5_000);
            pipeline.assertInvariantsHold();
        }

        @Test
        void anEndedTopUpIsForgottenAfterItsRetentionAndALateAnswerThenMovesNoMoney() {
            Pipeline retained = new Pipeline(PaymentsTopology.DEFAULT_IDEMPOTENCY_WINDOW, java.time.Duration.ofHours(1));
            try {
                retained.send(anOpen("alice", "USD", AccountType.CUSTOMER).build());
                PaymentRequest credited = cardTopUp("alice", 5_000, "tok_approve");
                PaymentRequest charging = cardTopUp("alice", 700, "tok_visa");
                retained.send(credited);
                retained.send(charging);
                io.paystream.schemas.avro.AcquirerRequest charge = retained.charges().get(0);
                io.paystream.schemas.avro.AcquirerResult approved = result(charge,
                        io.paystream.schemas.avro.ChargeStatus.APPROVED, null);
                retained.sendResult(approved);
                assertThat(retained.account("alice").getBalance()).isEqualTo(5_000);

                // Two hours of stream time pass on alice's partition, then the wall-clock sweep runs.
                retained.advance(java.time.Duration.ofHours(2));
                retained.send(aTopUp("alice", 1).build());
                retained.advanceWallClock(java.time.Duration.ofMinutes(11));
                retained.sendResult(approved);

                assertThat(retained.account("alice").getBalance()).as("credited once").isEqualTo(5_001);
                assertThat(retained.deadLetters()).as("the late repeat, with nothing left to check it against")
                        .hasSize(1);
                // The top-up still charging is kept whatever its age, and its approval still credits.
                retained.sendResult(result(retained.charges().get(1), io.paystream.schemas.avro.ChargeStatus.APPROVED,
                        null));
                assertThat(retained.account("alice").getBalance()).isEqualTo(5_701);
                retained.assertInvariantsHold();
            } finally {
                retained.close();
            }
        }

        @Test
        void aCardSourceIsOnlyForTopUpsAndARetryWithAnotherCardIsAConflict() {
            open("alice", "USD", AccountType.CUSTOMER);
            open("bob", "USD", AccountType.CUSTOMER);
            fund("alice", 100);
            PaymentRequest transfer = aTransfer("alice", "bob", 10).setSource(
                    io.paystream.schemas.avro.PaymentSource.newBuilder()
                            .setType(io.paystream.schemas.avro.SourceType.CARD).setToken("tok_visa").build()).build();
            pipeline.send(transfer);
            assertThat(assertFinal(transfer, PaymentStatus.REJECTED, RejectionReason.INVALID_REQUEST).getDetail())
                    .contains("source");

            PaymentRequest topUp = cardTopUp("alice", 700, "tok_visa");
            pipeline.send(topUp);
            pipeline.send(PaymentRequest.newBuilder(topUp).setSource(io.paystream.schemas.avro.PaymentSource
                    .newBuilder(topUp.getSource()).setToken("tok_mastercard").build()).build());
            pipeline.send(topUp);

            assertThat(pipeline.charges()).as("one charge, whatever the retries").hasSize(1);
            assertThat(auditsOf("alice")).filteredOn(a -> a.getReason() == RejectionReason.IDEMPOTENCY_CONFLICT)
                    .hasSize(1);
        }

        @Test
        void anAccountOwnerMayTopUpByCardButNotFromNowhere() {
            open("globex-1", "USD", AccountType.CUSTOMER);
            PaymentRequest byCard = PaymentRequest.newBuilder(cardTopUp("globex-1", 300, "tok_visa"))
                    .setClientId("globex").setPaymentId(Fixtures.randomPaymentId("card")).build();
            PaymentRequest fromNowhere = aTopUp("globex-1", 300).setClientId("globex")
                    .setPaymentId(Fixtures.randomPaymentId("mint")).build();
            pipeline.sendDirect(Pipeline.GLOBEX, byCard);
            pipeline.sendDirect(Pipeline.GLOBEX, fromNowhere);

            assertThat(statusesOf(byCard)).containsExactly(PaymentStatus.ACCEPTED);
            assertThat(pipeline.charges()).extracting(io.paystream.schemas.avro.AcquirerRequest::getPaymentId)
                    .containsExactly(byCard.getPaymentId());
            assertFinal(fromNowhere, PaymentStatus.REJECTED, RejectionReason.NOT_PERMITTED);
        }

        @Test
        void anAnswerKeyedByAnotherPaymentIsDeadLettered() {
            io.paystream.schemas.avro.AcquirerResult stray = io.paystream.schemas.avro.AcquirerResult.newBuilder()
                    .setPaymentId(Fixtures.paymentId("stray")).setTo("alice").setAmount(1).setCurrency("USD")
                    .setStatus(io.paystream.schemas.avro.ChargeStatus.APPROVED).setDecidedAtMs(1).setRequestedAtMs(1)
                    .build();
            pipeline.sendRaw(Topics.ACQUIRER_RESULTS.name(), "another-key".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    Topics.ACQUIRER_RESULTS.valueSerde().serializer().serialize(Topics.ACQUIRER_RESULTS.name(), stray));

            assertThat(pipeline.deadLetters()).hasSize(1);
            assertThat(pipeline.legs()).isEmpty();
        }
    }
}
