package io.paystream.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.testing.LedgerInvariants;
import io.paystream.processor.stats.StatsAssertions;
import io.paystream.processor.testing.Pipeline;
import io.paystream.schemas.stats.StatsWindow;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.PaymentType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of seeded, random commands over dozens of accounts through the production topology: hot accounts,
 * duplicates, idempotency conflicts, invalid requests, unknown and frozen accounts, currency mismatches, account
 * lifecycle changes, authorizations with captures (whole, partial, too large, repeated), voids (some twice, some of
 * unknown payments), expiries as stream time moves on, and refunds (partial, whole, too large, repeated, several of
 * one payment, of payments in every state). Afterwards every ledger invariant must hold. Set {@code -Dpaystream.seed=N} to replay one seed.
 */
class LedgerRandomizedTest {
    private static final int ACCOUNTS = 36;
    /** A few accounts take most of the traffic, as real merchants and payroll accounts do. */
    private static final int HOT_ACCOUNTS = 4;
    private static final int COMMANDS = 3_000;
    private static final String[] CURRENCIES = {"USD", "EUR"};

    static Stream<Long> seeds() {
        String fixed = System.getProperty("paystream.seed");
        if (fixed != null) {
            return Stream.of(Long.parseLong(fixed));
        }
        return LongStream.of(1L, 42L, 2026L, 7_919L, System.nanoTime()).boxed();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyInvariantHoldsAfterARandomWorkload(long seed) {
        System.out.println("LedgerRandomizedTest seed=" + seed + " (replay with -Dpaystream.seed=" + seed + ")");
        Random random = new Random(seed);
        try (Pipeline pipeline = new Pipeline()) {
            Workload workload = new Workload(random, pipeline);
            workload.openAccounts();
            for (int i = 0; i < COMMANDS; i++) {
                workload.next();
                if (i % 10 == 9) {
                    // About 5 minutes in all: the stats then span several buckets of every window.
                    pipeline.advance(java.time.Duration.ofSeconds(1));
                }
            }
            // Random captures may all find their holds ended (a seed whose payers are mostly short of money or
            // frozen): one that must complete, so that every seed checks a completed capture.
            workload.certainCapture();
            // Every hold lasts at most 600 s: an hour of stream time later, after a TICK, all have ended.
            pipeline.advance(java.time.Duration.ofHours(1));
            pipeline.send(AccountRequest.newBuilder().setRequestId("tick").setAccountId("acct-0")
                    .setCommand(AccountCommandType.UNFREEZE).build());
            // The ledger's wall-clock check then sees holds due by its stream time, and TICKs.
            pipeline.advanceWallClock(java.time.Duration.ofSeconds(10));

            assertThat(LedgerInvariants.violations(pipeline.events(), pipeline.audits(), pipeline.accounts(),
                    pipeline::status)).as("violations with seed %d", seed).isEmpty();
            // The 10-second buckets are past their retention an hour later; the others are all still kept.
            for (StatsWindow window : List.of(StatsWindow.ONE_HOUR, StatsWindow.ONE_DAY)) {
                StatsAssertions.assertStatsMatchJournal(pipeline, window, Pipeline.STATS_SCOPES, "seed " + seed);
            }
            for (String paymentId : workload.submitted) {
                assertThat(pipeline.eventsOf(paymentId).stream().map(PaymentEvent::getStatus)
                        .filter(PaymentStatuses::isTerminal).count())
                        .as("terminal events of %s with seed %d", paymentId, seed).isEqualTo(1);
            }
            assertThat(pipeline.events().stream().map(PaymentEvent::getStatus).distinct())
                    .as("the workload reaches every outcome with seed %d", seed)
                    .contains(PaymentStatus.COMPLETED, PaymentStatus.REJECTED, PaymentStatus.REVERSED,
                            PaymentStatus.AUTHORIZED, PaymentStatus.VOIDED, PaymentStatus.EXPIRED,
                            PaymentStatus.VOID_FAILED, PaymentStatus.CAPTURE_FAILED, PaymentStatus.REFUND_PENDING,
                            PaymentStatus.REFUND_SUCCEEDED, PaymentStatus.REFUND_FAILED);
            assertThat(pipeline.events().stream().filter(e -> e.getStatus() == PaymentStatus.REFUND_FAILED)
                    .map(PaymentEvent::getReason).distinct())
                    .as("refunds refused by intake and by the payee's task, with seed %d", seed)
                    .contains(io.paystream.schemas.avro.RejectionReason.EXCEEDS_REFUNDABLE,
                            io.paystream.schemas.avro.RejectionReason.PAYMENT_NOT_COMPLETED);
            assertAtomicBatchesMovedAllOrNothing(pipeline, workload, seed);
            assertJournalChainsHold(pipeline, seed);
            assertThat(io.paystream.testing.BalanceMonitorCheck.violations(pipeline.audits(), pipeline.accounts(),
                    pipeline.balanceEvents())).as("one balance event per crossing, seed %d", seed).isEmpty();
            assertThat(pipeline.balanceEvents()).as("monitors crossed, seed %d", seed).isNotEmpty();
            assertThat(pipeline.accounts()).as("no hold is left open, with seed %d", seed)
                    .allSatisfy(account -> assertThat(account.getHeld()).as(account.getAccountId()).isZero());
            assertThat(pipeline.events()).as("captures that completed, with seed %d", seed)
                    .anyMatch(e -> e.getStatus() == PaymentStatus.COMPLETED && e.getCapturedAmount() != null);
        }
    }

    /**
     * Every atomic batch either moved every payment (each COMPLETED, or REVERSED when its payee changed between its
     * vote and its credit) or none (each REJECTED); the workload reaches both, and the timeout when a share never came.
     */
    private static void assertAtomicBatchesMovedAllOrNothing(Pipeline pipeline, Workload workload, long seed) {
        int committed = 0;
        int rejected = 0;
        for (PaymentBatch batch : workload.atomicBatches) {
            List<PaymentStatus> statuses = batch.getPayments().stream()
                    .filter(p -> workload.submitted.contains(p.getPaymentId()))
                    .map(p -> pipeline.status(p.getPaymentId())).toList();
            if (statuses.contains(PaymentStatus.COMPLETED)) {
                committed++;
                assertThat(statuses).as("atomic batch %s, seed %d", batch.getBatchId(), seed)
                        .hasSize(batch.getSize())
                        .allMatch(s -> s == PaymentStatus.COMPLETED || s == PaymentStatus.REVERSED);
            } else {
                rejected++;
                assertThat(statuses).as("atomic batch %s, seed %d", batch.getBatchId(), seed)
                        .allMatch(s -> s == PaymentStatus.REJECTED);
            }
        }
        List<RejectionReason> reasons = workload.atomicBatches.stream().flatMap(b -> b.getPayments().stream())
                .map(p -> pipeline.payment(p.getPaymentId())).filter(java.util.Objects::nonNull)
                .map(PaymentState::getReason).filter(java.util.Objects::nonNull).toList();
        System.out.printf("atomic batches: %d moved, %d did not; reasons %s%n", committed, rejected,
                reasons.stream().collect(java.util.stream.Collectors.groupingBy(r -> r,
                        java.util.TreeMap::new, java.util.stream.Collectors.counting())));
        assertThat(reasons).as("atomic payments refused at intake, at the payer and at the payee, seed %d", seed)
                .contains(RejectionReason.ATOMIC_BATCH_FAILED, RejectionReason.INVALID_REQUEST,
                        RejectionReason.ACCOUNT_NOT_FOUND);
        assertThat(committed).as("atomic batches that moved, seed %d", seed).isPositive();
        assertThat(rejected).as("atomic batches that did not, seed %d", seed).isPositive();
        for (PaymentBatch share : workload.deferredShares) {
            // A batch whose share never came, and whose payments that did come all voted for, timed out.
            List<PaymentState> came = workload.atomicBatches.stream()
                    .filter(b -> b.getBatchId().equals(share.getBatchId())).findFirst().orElseThrow().getPayments()
                    .stream().filter(p -> workload.submitted.contains(p.getPaymentId()))
                    .map(p -> pipeline.payment(p.getPaymentId())).toList();
            if (came.stream().allMatch(p -> p.getReason() == RejectionReason.ATOMIC_BATCH_FAILED)) {
                assertThat(came).as("batch %s timed out, seed %d", share.getBatchId(), seed)
                        .allMatch(p -> p.getDetail().contains("timed out"));
            }
        }
    }

    /**
     * Every account's movements form an unbroken hash chain in entrySeq order, from genesis, and its head is the
     * journalHash its state keeps.
     */
    private static void assertJournalChainsHold(Pipeline pipeline, long seed) {
        Map<String, List<io.paystream.schemas.JournalChain.Entry>> chains =
                io.paystream.schemas.JournalChain.chainsOf(pipeline.audits());
        assertThat(chains).as("accounts with movements, seed %d", seed).isNotEmpty();
        chains.forEach((accountId, entries) -> {
            assertThat(io.paystream.schemas.JournalChain.firstBreak(entries)).as("chain of %s, seed %d", accountId,
                    seed).isEmpty();
            assertThat(entries.get(0).prevHash()).isEqualTo(io.paystream.schemas.JournalChain.GENESIS);
            assertThat(pipeline.account(accountId).getJournalHash()).as("head of %s", accountId)
                    .isEqualTo(entries.get(entries.size() - 1).hash());
        });
    }

    /** Generates the commands; {@code submitted} holds every distinct payment id sent. */
    private static final class Workload {
        private final Random random;
        private final Pipeline pipeline;
        private final List<String> accountIds = new ArrayList<>();
        private final Map<String, String> currencyOf = new HashMap<>();
        private final List<PaymentRequest> sent = new ArrayList<>();
        private final List<String> manual = new ArrayList<>();
        final java.util.Set<String> submitted = new java.util.LinkedHashSet<>();
        final List<PaymentBatch> atomicBatches = new ArrayList<>();
        /** Shares of atomic batches held back; those still here at the end never come, and their batches time out. */
        final List<PaymentBatch> deferredShares = new ArrayList<>();

        Workload(Random random, Pipeline pipeline) {
            this.random = random;
            this.pipeline = pipeline;
        }

        void openAccounts() {
            for (int i = 0; i < ACCOUNTS; i++) {
                String accountId = "acct-" + i;
                String currency = CURRENCIES[i % CURRENCIES.length];
                accountIds.add(accountId);
                currencyOf.put(accountId, currency);
                // Every sixth account is never opened, so payments to and from it exercise ACCOUNT_NOT_FOUND.
                if (i % 6 == 5) {
                    continue;
                }
                AccountType type = i % 4 == 3 ? AccountType.MERCHANT : AccountType.CUSTOMER;
                long limit = i % 5 == 0 ? 500 : 0;
                pipeline.send(AccountRequest.newBuilder().setRequestId("open-" + accountId).setAccountId(accountId)
                        .setCommand(AccountCommandType.OPEN).setCurrency(currency).setAccountType(type)
                        .setOverdraftLimit(limit).build());
                // Two balance monitors on each account, at thresholds the workload's amounts go back and forth over.
                for (int m = 0; m < 2; m++) {
                    String monitorId = io.paystream.schemas.validation.MonitorIds.of(
                            java.nio.ByteBuffer.allocate(8).putLong(i * 2L + m).array(), accountId);
                    pipeline.send(AccountRequest.newBuilder().setRequestId("monitor-" + monitorId)
                            .setAccountId(accountId).setCommand(AccountCommandType.ADD_MONITOR)
                            .setMonitor(io.paystream.schemas.avro.BalanceMonitor.newBuilder().setMonitorId(monitorId)
                                    .setField(random.nextBoolean() ? io.paystream.schemas.avro.BalanceField.BALANCE
                                    : io.paystream.schemas.avro.BalanceField.AVAILABLE)
                                    .setOperator(List.of(io.paystream.schemas.avro.ThresholdOperator.LT,
                                            io.paystream.schemas.avro.ThresholdOperator.LTE,
                                            io.paystream.schemas.avro.ThresholdOperator.GT,
                                            io.paystream.schemas.avro.ThresholdOperator.GTE).get(random.nextInt(4)))
                                    .setAmount(random.nextInt(3_000)).build())
                            .build());
                }
            }
        }

        void next() {
            int roll = random.nextInt(100);
            if (roll < 22) {
                send(PaymentType.TOPUP, null, account(), amount());
            } else if (roll < 48) {
                send(PaymentType.TRANSFER, account(), account(), amount());
            } else if (roll < 56) {
                send(PaymentType.PAYMENT, account(), account(), amount());
            } else if (roll < 67) {
                send(PaymentType.WITHDRAWAL, account(), null, amount());
            } else if (roll < 73) {
                authorize();
            } else if (roll < 75 && !manual.isEmpty()) {
                voidOne();
            } else if (roll < 78 && !manual.isEmpty()) {
                captureOne();
            } else if (roll < 79) {
                // Stream time moves on, and holds of 60 to 600 s expire as it passes them.
                pipeline.advance(java.time.Duration.ofSeconds(20 + random.nextInt(70)));
            } else if (roll < 83) {
                sendInvalid();
            } else if (roll < 88 && !sent.isEmpty()) {
                refundOne();
            } else if (roll < 92 && !sent.isEmpty()) {
                resend(sent.get(random.nextInt(sent.size())));
            } else if (roll < 94 && !sent.isEmpty()) {
                PaymentRequest original = sent.get(random.nextInt(sent.size()));
                pipeline.send(PaymentRequest.newBuilder(original).setAmount(original.getAmount() + 1).build());
            } else if (roll < 95 && !deferredShares.isEmpty()) {
                sendShare(deferredShares.remove(0));
            } else if (roll < 97) {
                atomicBatch();
            } else {
                changeAccount();
            }
        }

        private String account() {
            int index = random.nextInt(2) == 0 ? random.nextInt(HOT_ACCOUNTS) : random.nextInt(ACCOUNTS);
            return accountIds.get(index);
        }

        private long amount() {
            // Mostly small amounts, sometimes large ones that overdraw.
            return random.nextInt(10) == 0 ? 1 + random.nextInt(50_000) : 1 + random.nextInt(2_000);
        }

        private void send(PaymentType type, String from, String to, long amount) {
            String currencyAccount = from != null ? from : to;
            // One payment in twenty uses the other currency, to exercise CURRENCY_MISMATCH on either leg.
            String currency = random.nextInt(20) == 0
                    ? (currencyOf.get(currencyAccount).equals("USD") ? "EUR" : "USD")
                    : currencyOf.get(currencyAccount);
            if (from != null && from.equals(to)) {
                to = accountIds.get((accountIds.indexOf(to) + 1) % ACCOUNTS);
            }
            PaymentRequest request = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(type).setFrom(from).setTo(to).setAmount(amount).setCurrency(currency)
                    .setClientId("random").build();
            sent.add(request);
            resend(request);
        }

        /** A manual-capture TRANSFER or PAYMENT: a hold of 60 to 600 s on the payer. */
        private void authorize() {
            String from = account();
            String to = account();
            if (from.equals(to)) {
                to = accountIds.get((accountIds.indexOf(to) + 1) % ACCOUNTS);
            }
            PaymentRequest request = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(random.nextBoolean() ? PaymentType.TRANSFER : PaymentType.PAYMENT).setFrom(from).setTo(to)
                    .setAmount(amount()).setCurrency(currencyOf.get(from)).setClientId("random")
                    .setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(60L + random.nextInt(541)).build();
            sent.add(request);
            manual.add(request.getPaymentId());
            resend(request);
        }

        /** A void of a manual payment, sometimes twice, sometimes of a payment that never was. */
        private void voidOne() {
            String paymentId = random.nextInt(10) == 0 ? new UUID(random.nextLong(), random.nextLong()).toString()
                    : manual.get(random.nextInt(manual.size()));
            PaymentAction cancel = PaymentAction.newBuilder()
                    .setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setPaymentId(paymentId).setType(ActionType.VOID).setClientId("random").build();
            pipeline.send(cancel);
            if (random.nextInt(4) == 0) {
                pipeline.send(cancel);
            }
        }

        /** A funded payer authorizes a transfer to a new payee, and captures part of it at once. */
        void certainCapture() {
            for (String accountId : List.of("capture-payer", "capture-payee")) {
                pipeline.send(AccountRequest.newBuilder().setRequestId("open-" + accountId).setAccountId(accountId)
                        .setCommand(AccountCommandType.OPEN).setCurrency("USD").setAccountType(AccountType.CUSTOMER)
                        .setOverdraftLimit(0L).build());
            }
            PaymentRequest funding = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(PaymentType.TOPUP).setTo("capture-payer").setAmount(1_000).setCurrency("USD")
                    .setClientId("random").build();
            resend(funding);
            PaymentRequest held = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(PaymentType.TRANSFER).setFrom("capture-payer").setTo("capture-payee").setAmount(600)
                    .setCurrency("USD").setClientId("random").setCapture(CaptureMode.MANUAL)
                    .setHoldExpiresInSeconds(600L).build();
            resend(held);
            pipeline.send(PaymentAction.newBuilder()
                    .setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setPaymentId(held.getPaymentId()).setType(ActionType.CAPTURE).setAmount(400L)
                    .setClientId("random").build());
        }

        /** A capture of a manual payment: whole, partial or too large, sometimes twice, sometimes of an ended one. */
        private void captureOne() {
            // Mostly one of the latest authorizations, which are the likeliest to be still open.
            String paymentId = manual.get(manual.size() - 1 - random.nextInt(Math.min(5, manual.size())));
            Long amount = switch (random.nextInt(4)) {
                case 0 -> null;
                case 1 -> 2_000_000L;
                default -> 1L + random.nextInt(1_000);
            };
            PaymentAction capture = PaymentAction.newBuilder()
                    .setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setPaymentId(paymentId).setType(ActionType.CAPTURE).setAmount(amount).setClientId("random")
                    .build();
            pipeline.send(capture);
            if (random.nextInt(4) == 0) {
                pipeline.send(capture);
            }
        }

        /**
         * A refund of a recent payment (of any type and state, so most kinds of refusal happen): part of it, all of
         * it, or more; sometimes repeated, sometimes followed at once by a second refund of the same payment.
         */
        private void refundOne() {
            List<PaymentRequest> recent = sent.subList(Math.max(0, sent.size() - 40), sent.size());
            List<PaymentRequest> completed = recent.stream()
                    .filter(p -> pipeline.status(p.getPaymentId()) == PaymentStatus.COMPLETED
                            && p.getType() != PaymentType.TOPUP && p.getType() != PaymentType.WITHDRAWAL)
                    .toList();
            // Mostly payments that can be refunded, so that the payee's task decides; sometimes any payment.
            PaymentRequest payment = !completed.isEmpty() && random.nextInt(5) > 0
                    ? completed.get(random.nextInt(completed.size()))
                    : recent.get(random.nextInt(recent.size()));
            int refunds = random.nextInt(3) == 0 ? 2 : 1;
            for (int i = 0; i < refunds; i++) {
                long amount = switch (random.nextInt(5)) {
                    case 0 -> payment.getAmount();
                    case 1 -> payment.getAmount() + 1;
                    default -> 1 + random.nextInt((int) Math.min(Integer.MAX_VALUE, payment.getAmount()));
                };
                PaymentAction refund = PaymentAction.newBuilder()
                        .setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                        .setPaymentId(payment.getPaymentId()).setType(ActionType.REFUND).setAmount(amount)
                        .setReason("random refund").setClientId("random").build();
                pipeline.send(refund);
                if (random.nextInt(5) == 0) {
                    pipeline.send(refund);
                }
            }
        }

        /**
         * An atomic batch of 1 to 4 payments from one or two payers, some of which cannot move (unknown, frozen or
         * mismatched accounts, overdrafts, a TOPUP, a PAYMENT to a customer). The second payer's share is sometimes
         * sent later, with other commands between, and sometimes never (the batch then times out); sometimes the
         * whole batch is retried.
         */
        private void atomicBatch() {
            String batchId = new UUID(random.nextLong(), random.nextLong()).toString();
            String[] payers = {account(), account()};
            int size = 1 + random.nextInt(4);
            List<PaymentRequest> payments = new ArrayList<>();
            for (int index = 0; index < size; index++) {
                String from = payers[index > 0 && random.nextInt(3) == 0 ? 1 : 0];
                String to = account();
                // Mostly a payee in the payer's currency (every other account), so that many batches can move.
                if (!currencyOf.get(to).equals(currencyOf.get(from)) && random.nextInt(5) > 0) {
                    to = accountIds.get((accountIds.indexOf(to) + 1) % ACCOUNTS);
                }
                if (to.equals(from)) {
                    to = accountIds.get((accountIds.indexOf(to) + 2) % ACCOUNTS);
                }
                PaymentType type = index > 0 && random.nextInt(15) == 0 ? PaymentType.TOPUP
                        : random.nextInt(4) == 0 ? PaymentType.PAYMENT : PaymentType.TRANSFER;
                String currency = random.nextInt(20) == 0
                        ? (currencyOf.get(from).equals("USD") ? "EUR" : "USD") : currencyOf.get(from);
                payments.add(PaymentRequest.newBuilder()
                        .setPaymentId(io.paystream.schemas.BatchIds.paymentId(batchId, index))
                        .setType(type).setFrom(type == PaymentType.TOPUP ? null : from).setTo(to)
                        .setAmount(amount()).setCurrency(currency).setClientId("random")
                        .setBatchId(batchId).setBatchIndex(index).setBatchSize(size).build());
            }
            PaymentBatch whole = PaymentBatch.newBuilder().setBatchId(batchId).setClientId("random")
                    .setIdempotencyKey(batchId).setSize(size).setPayments(payments).setAtomic(true)
                    .setCoordinator(payers[0]).build();
            atomicBatches.add(whole);
            List<PaymentRequest> first = payments.stream().filter(p -> !payers[1].equals(p.getFrom())).toList();
            List<PaymentRequest> second = payments.stream().filter(p -> payers[1].equals(p.getFrom())).toList();
            if (!first.isEmpty()) {
                sendShare(PaymentBatch.newBuilder(whole).setPayments(first).build());
            }
            if (!second.isEmpty()) {
                PaymentBatch share = PaymentBatch.newBuilder(whole).setPayments(second).build();
                if (random.nextInt(3) == 0) {
                    deferredShares.add(share);
                } else {
                    sendShare(share);
                }
            }
            if (random.nextInt(10) == 0 && !payers[0].equals(payers[1])) {
                sendShare(whole);
            }
        }

        private void sendShare(PaymentBatch share) {
            share.getPayments().forEach(p -> submitted.add(p.getPaymentId()));
            pipeline.sendBatch(share);
        }

        private void sendInvalid() {
            PaymentRequest request = PaymentRequest.newBuilder()
                    .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setType(PaymentType.TRANSFER).setFrom(account()).setTo(account())
                    .setAmount(random.nextBoolean() ? 0 : -5).setCurrency("USD").build();
            resend(request);
        }

        private void resend(PaymentRequest request) {
            submitted.add(request.getPaymentId());
            pipeline.send(request);
        }

        private void changeAccount() {
            String accountId = account();
            AccountCommandType command = switch (random.nextInt(4)) {
                case 0 -> AccountCommandType.FREEZE;
                case 1, 2 -> AccountCommandType.UNFREEZE;
                default -> AccountCommandType.SET_LIMIT;
            };
            pipeline.send(AccountRequest.newBuilder().setRequestId("req-" + random.nextLong()).setAccountId(accountId)
                    .setCommand(command).setOverdraftLimit(command == AccountCommandType.SET_LIMIT
                            ? Long.valueOf(random.nextInt(3) * 250L) : null)
                    .build());
        }
    }
}
