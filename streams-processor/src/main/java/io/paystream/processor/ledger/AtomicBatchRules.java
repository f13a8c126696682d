package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.Payment;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AtomicBatch;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The atomic batch protocol, as pure functions: every payment of an atomic batch completes, or none moves.
 *
 * <ol>
 *   <li>The payer's task places a hold for the payment (HOLD with the batch's fields; such a hold never expires on
 *       its own and only the batch's decision ends it) and asks the payee's task whether it would take the credit
 *       (PREPARE). A hold refused is a vote against, sent from the payer's task.</li>
 *   <li>The payee's task answers with a VOTE to the batch's coordinator, the task of the batch's payment 0's payer:
 *       for, or against with its reason.</li>
 *   <li>The coordinator ({@link #vote}) counts the votes in its {@code atomic-batches} store. The first vote against
 *       rejects the batch: every hold placed is voided (each payment ends REJECTED, the failing one with its own reason,
 *       the others with ATOMIC_BATCH_FAILED). When every payment has voted for, it commits: every hold is captured and
 *       each capture sends its credit, as a manual capture does. A batch still short of votes at its deadline, in
 *       stream time, is rejected.</li>
 * </ol>
 *
 * <p>Every step is a record on the ledger topic, or applied in place when its account belongs to the same task, in
 * the same exactly-once transaction: a decision is stored in the transaction that sends its captures or voids, so a
 * crash between phases replays the same commands, and each hold is captured or voided once.
 */
public final class AtomicBatchRules {
    /** How long a coordinator waits for the last vote, in stream time, before it rejects the batch. */
    public static final Duration VOTE_TIMEOUT = Duration.ofMinutes(2);

    /** The action id of the captures and voids a decision sends: one per batch. */
    static String actionId(String batchId) {
        return "batch:" + batchId;
    }

    private AtomicBatchRules() {
    }

    /** True for a command of an atomic batch's protocol. */
    static boolean isAtomic(LedgerCommand command) {
        return command != null && command.getBatchId() != null && command.getBatchCoordinator() != null;
    }

    /** {@code target} with the atomic batch fields of {@code source}. */
    public static LedgerCommand.Builder inBatchOf(LedgerCommand.Builder target, LedgerCommand source) {
        return target.setBatchId(source.getBatchId())
                .setBatchIndex(source.getBatchIndex())
                .setBatchSize(source.getBatchSize())
                .setBatchCoordinator(source.getBatchCoordinator());
    }

    /**
     * The vote of {@code leg}'s payment, to its batch's coordinator: for when {@code against} is null.
     *
     * @param held true when the payer's hold is in place, so that a rejection must void it
     */
    public static LedgerCommand vote(LedgerCommand leg, boolean held, Rejection against) {
        return inBatchOf(LedgerCommand.newBuilder(leg), leg)
                .setCommandId(leg.getPaymentId() + ":" + LedgerCommandType.VOTE)
                .setType(LedgerCommandType.VOTE)
                .setAccountId(leg.getBatchCoordinator())
                .setHoldExpiresAtMs(null)
                .setActionId(null)
                .setHeld(held)
                .setReason(against == null ? null : against.reason())
                .setDetail(against == null ? null : against.detail())
                .build();
    }

    /**
     * On the payee's task: would the payee take the credit now? Its vote goes to the coordinator either way; a refusal
     * is journalled on the payee, as a refused credit is.
     */
    static LedgerOutcome prepare(AccountState payee, LedgerCommand leg, long nowMs) {
        Payment payment = PaymentLegRules.checkedPayment(leg, leg.getAccountId().equals(leg.getTo()));
        checkBatch(leg);
        Rejection refusal = PaymentLegRules.creditRefusal(payee, leg.getAccountId(), payment);
        Emissions.Builder emissions = Emissions.builder().leg(vote(leg, true, refusal));
        if (refusal != null) {
            emissions.audit(PaymentRecords.rejection(payment, LedgerCommandType.PREPARE.name(), leg.getAccountId(),
                    refusal.reason(), refusal.detail(), nowMs));
        }
        return new LedgerOutcome(null, emissions.build());
    }

    /**
     * What the coordinator does with one vote.
     *
     * @param batch the batch as it was, or null before its first vote
     * @param keepVote true when the vote is to be stored (for, while the batch waits for others)
     * @param forgetVotes true when the stored votes are no longer needed (the batch was decided now)
     * @param legs the captures or voids to send
     */
    record Decision(AtomicBatch batch, boolean keepVote, boolean forgetVotes, List<LedgerCommand> legs) {
        static Decision ignored(AtomicBatch batch) {
            return new Decision(batch, false, false, List.of());
        }
    }

    /**
     * Counts {@code vote} for its batch and decides the batch when it can.
     *
     * @param batch the batch's state, or null before its first vote
     * @param alreadyVoted true when a vote of this payment is stored already (a duplicate is ignored)
     * @param keptVotes the stored votes of the batch, read only when this vote decides it
     * @param nowMs the stream time
     */
    static Decision vote(AtomicBatch batch, boolean alreadyVoted, Supplier<List<LedgerCommand>> keptVotes,
            LedgerCommand vote, long nowMs) {
        checkBatch(vote);
        Invariants.check(vote.getHeld() != null, "VOTE %s does not say whether its hold is placed",
                vote.getCommandId());
        Invariants.check(batch == null || batch.getSize() == vote.getBatchSize(),
                "VOTE %s says batch %s has %d payments; its first vote said %d", vote.getCommandId(),
                vote.getBatchId(), vote.getBatchSize(), batch == null ? 0 : batch.getSize());
        if (alreadyVoted || (batch != null && batch.getVotes() >= batch.getSize())) {
            return Decision.ignored(batch);
        }
        AtomicBatch counted = batch == null
                ? AtomicBatch.newBuilder()
                        .setBatchId(vote.getBatchId())
                        .setSize(vote.getBatchSize())
                        .setVotes(1)
                        .setDecided(false)
                        .setStartedAtMs(nowMs)
                        .setDeadlineMs(nowMs + VOTE_TIMEOUT.toMillis())
                        .build()
                : AtomicBatch.newBuilder(batch).setVotes(batch.getVotes() + 1).build();
        boolean against = vote.getReason() != null;
        if (counted.getDecided()) {
            // Rejected before this vote came: its hold, if any, goes too.
            return new Decision(counted, false, false, Boolean.TRUE.equals(vote.getHeld())
                    ? List.of(voidOf(vote, counted, against)) : List.of());
        }
        if (against) {
            AtomicBatch rejected = AtomicBatch.newBuilder(counted)
                    .setDecided(true)
                    .setFailedIndex(vote.getBatchIndex())
                    .setReason(vote.getReason())
                    .setDetail(vote.getDetail())
                    .setDecidedAtMs(nowMs)
                    .build();
            List<LedgerCommand> voids = new ArrayList<>();
            for (LedgerCommand kept : keptVotes.get()) {
                voids.add(voidOf(kept, rejected, false));
            }
            if (vote.getHeld()) {
                voids.add(voidOf(vote, rejected, true));
            }
            return new Decision(rejected, false, true, voids);
        }
        if (counted.getVotes() < counted.getSize()) {
            return new Decision(counted, true, false, List.of());
        }
        AtomicBatch committed = AtomicBatch.newBuilder(counted).setDecided(true).setDecidedAtMs(nowMs).build();
        List<LedgerCommand> captures = new ArrayList<>();
        for (LedgerCommand kept : keptVotes.get()) {
            captures.add(captureOf(kept));
        }
        captures.add(captureOf(vote));
        return new Decision(committed, false, true, captures);
    }

    /** What a decided batch's metric calls its outcome: COMPLETED, REJECTED, or TIMED_OUT (rejected at its deadline). */
    static String outcome(AtomicBatch decided) {
        if (decided.getReason() == null) {
            return "COMPLETED";
        }
        return decided.getFailedIndex() == null ? "TIMED_OUT" : "REJECTED";
    }

    /** The batch rejected at its deadline: every hold that voted for is voided. */
    static Decision timeOut(AtomicBatch batch, List<LedgerCommand> keptVotes, long nowMs) {
        Invariants.check(!batch.getDecided(), "batch %s is decided already", batch.getBatchId());
        AtomicBatch rejected = AtomicBatch.newBuilder(batch)
                .setDecided(true)
                .setReason(RejectionReason.ATOMIC_BATCH_FAILED)
                .setDetail("atomic batch " + batch.getBatchId() + " timed out with " + batch.getVotes() + " of "
                        + batch.getSize() + " votes after " + VOTE_TIMEOUT.toSeconds() + " s")
                .setDecidedAtMs(nowMs)
                .build();
        List<LedgerCommand> voids = new ArrayList<>();
        for (LedgerCommand kept : keptVotes) {
            voids.add(voidOf(kept, rejected, false));
        }
        return new Decision(rejected, false, true, voids);
    }

    /** The capture of a payment that voted for, on its payer's task: the whole hold. */
    private static LedgerCommand captureOf(LedgerCommand vote) {
        return leg(vote, LedgerCommandType.CAPTURE).build();
    }

    /**
     * The void of a held payment of a rejected batch. The payment ends REJECTED: with its own reason when its own vote
     * was against ({@code own}), else ATOMIC_BATCH_FAILED, naming the payment that failed.
     */
    private static LedgerCommand voidOf(LedgerCommand vote, AtomicBatch rejected, boolean own) {
        LedgerCommand.Builder voided = leg(vote, LedgerCommandType.VOID);
        if (own) {
            return voided.setReason(vote.getReason()).setDetail(vote.getDetail()).build();
        }
        String why = rejected.getFailedIndex() == null ? rejected.getDetail()
                : "payment " + rejected.getFailedIndex() + " of atomic batch " + rejected.getBatchId() + " failed ("
                        + rejected.getReason() + ": " + rejected.getDetail() + "); no payment of it moved";
        return voided.setReason(RejectionReason.ATOMIC_BATCH_FAILED).setDetail(why).build();
    }

    private static LedgerCommand.Builder leg(LedgerCommand vote, LedgerCommandType type) {
        return inBatchOf(LedgerCommand.newBuilder(PaymentRecords.leg(Payment.of(vote), type, vote.getFrom(), null)),
                vote).setActionId(actionId(vote.getBatchId()));
    }

    private static void checkBatch(LedgerCommand command) {
        Invariants.check(PaymentRequestRules.isPaymentId(command.getBatchId()), "%s %s names no well-formed batch",
                command.getType(), command.getCommandId());
        Invariants.check(command.getBatchSize() != null && command.getBatchSize() >= 1
                && command.getBatchSize() <= PaymentRequestRules.BATCH_SIZE_MAX, "%s %s has batch size %s",
                command.getType(), command.getCommandId(), command.getBatchSize());
        Invariants.check(command.getBatchIndex() != null && command.getBatchIndex() >= 0
                && command.getBatchIndex() < command.getBatchSize(), "%s %s has batch index %s of %s",
                command.getType(), command.getCommandId(), command.getBatchIndex(), command.getBatchSize());
    }
}
