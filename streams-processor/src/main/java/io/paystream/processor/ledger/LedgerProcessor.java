package io.paystream.processor.ledger;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.errors.FailTaskException;
import io.paystream.processor.internal.EmissionSinks;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Invariants;
import io.paystream.schemas.Partitions;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AtomicBatch;
import io.paystream.schemas.avro.CardTopUp;
import io.paystream.schemas.avro.HoldState;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.validation.PaymentRequestRules;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes ledger commands: reads the account and the flow totals, asks {@link LedgerRules#decide} for the whole
 * outcome, and only then writes it (account, totals, dead letter, emissions). Nothing is decided after the first
 * write. Anything that throws while reading or writing fails the task ({@link FailTaskException}), so exactly-once
 * aborts the transaction and replays the command; it is never skipped with half of its decision committed.
 */
final class LedgerProcessor implements Processor<String, LedgerCommand, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerProcessor.class);

    private final Topic<String, LedgerCommand> source;
    private final EmissionSinks sinks;
    private final PaymentMetrics metrics;
    private final int partitions;
    /** How often, by the wall clock, a task with holds due checks whether its stream time needs a TICK. */
    private static final Duration TICK_INTERVAL = Duration.ofSeconds(5);
    /** How often, by the wall clock, ended card top-ups past their retention are looked for. */
    private static final Duration CARD_TOP_UP_SWEEP_INTERVAL = Duration.ofMinutes(10);
    /** How many go in one sweep: a sweep is part of the task's transaction, so it stays small. */
    private static final int CARD_TOP_UP_SWEEP_MAX = 1_000;
    private final Duration cardTopUpRetention;
    /** The key of TICK records: not an account id (those cannot start with '~'). */
    static final String TICK_KEY = "~tick";

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, HoldState> holds;
    private KeyValueStore<String, String> expiries;
    private KeyValueStore<String, AccountState> accounts;
    private KeyValueStore<String, BigInteger> flows;
    private KeyValueStore<String, Long> refunded;
    private KeyValueStore<String, Long> appliedRefunds;
    private KeyValueStore<String, CardTopUp> cardTopUps;
    private KeyValueStore<String, AtomicBatch> atomicBatches;
    private KeyValueStore<String, LedgerCommand> atomicVotes;
    private KeyValueStore<String, String> atomicDeadlines;
    /** Commands of an atomic batch for this task's own accounts, applied in place after the one that sent them. */
    private final Deque<LedgerCommand> inPlace = new ArrayDeque<>();
    /**
     * Legs for accounts of other partitions, by partition, held until the input record is done (a batch record: until
     * all of its payments are), then sent as one record per partition: the leg itself when it is alone, else a LEGS
     * command carrying them in order. A batch's credits then cross the ledger topic as a few records, not one each.
     */
    private final Map<Integer, List<LedgerCommand>> outbox = new TreeMap<>();
    /** The record whose timestamp and headers the outbox's legs are sent with: the input that emitted the first. */
    private Record<String, LedgerCommand> outboxInput;
    /** More than any batch can need (a payment of an atomic batch sends at most four commands): a loop is a bug. */
    private static final int IN_PLACE_MAX = 8 * PaymentRequestRules.BATCH_SIZE_MAX;

    LedgerProcessor(Topic<String, LedgerCommand> source, EmissionSinks sinks, int partitions,
            Duration cardTopUpRetention, PaymentMetrics metrics) {
        this.partitions = partitions;
        this.cardTopUpRetention = Objects.requireNonNull(cardTopUpRetention, "cardTopUpRetention");
        this.source = Objects.requireNonNull(source, "source");
        this.sinks = Objects.requireNonNull(sinks, "sinks");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.accounts = context.getStateStore(LedgerTopology.ACCOUNTS_STORE);
        this.flows = context.getStateStore(LedgerTopology.FLOWS_STORE);
        this.holds = context.getStateStore(LedgerTopology.HOLDS_STORE);
        this.expiries = context.getStateStore(LedgerTopology.HOLD_EXPIRIES_STORE);
        this.refunded = context.getStateStore(LedgerTopology.REFUNDED_STORE);
        this.appliedRefunds = context.getStateStore(LedgerTopology.APPLIED_REFUNDS_STORE);
        this.cardTopUps = context.getStateStore(LedgerTopology.CARD_TOP_UPS_STORE);
        this.atomicBatches = context.getStateStore(LedgerTopology.ATOMIC_BATCHES_STORE);
        this.atomicVotes = context.getStateStore(LedgerTopology.ATOMIC_VOTES_STORE);
        this.atomicDeadlines = context.getStateStore(LedgerTopology.ATOMIC_DEADLINES_STORE);
        outbox.clear();
        outboxInput = null;
        context.schedule(TICK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::tickIfHoldsAreDue);
        context.schedule(CARD_TOP_UP_SWEEP_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forgetEndedCardTopUps());
    }

    /**
     * Deletes card top-ups that ended (credited, declined or refunded) longer ago than the retention, in stream time,
     * a bounded batch at a time. One still charging or owed a refund is never deleted. Only a repeated acquirer answer
     * ever reads an ended entry, and after its deletion such an answer is dead-lettered: no money moves either way.
     */
    private void forgetEndedCardTopUps() {
        long cutoff = context.currentStreamTimeMs() - cardTopUpRetention.toMillis();
        List<String> ended = new ArrayList<>();
        try (KeyValueIterator<String, CardTopUp> entries = cardTopUps.all()) {
            while (entries.hasNext() && ended.size() < CARD_TOP_UP_SWEEP_MAX) {
                CardTopUp topUp = entries.next().value;
                if (CardTopUpRules.hasEnded(topUp) && topUp.getUpdatedAtMs() < cutoff) {
                    ended.add(topUp.getPaymentId());
                }
            }
        }
        ended.forEach(cardTopUps::delete);
    }

    /**
     * Holds expire at points in the log, never on the wall clock: when a command for the payer's account arrives
     * ({@link #process}), and when a TICK does. Every 5 s of wall-clock time, a task with a hold due (by its stream time
     * or by the wall clock, whichever is later) writes a TICK to its own partition, stamped with that time; reading it
     * expires every due hold. The TICK is a record like any other, so a replay of the log expires the same holds at
     * the same places, and a quiet partition, or a quiet account on a busy one, still sees its holds expire.
     */
    private void tickIfHoldsAreDue(long wallClockMs) {
        long tickAt = Math.max(wallClockMs, context.currentStreamTimeMs());
        boolean due;
        try (KeyValueIterator<String, String> entries = expiries.range(HoldIndex.FIRST, HoldIndex.upTo(tickAt));
                KeyValueIterator<String, String> deadlines = atomicDeadlines.range(HoldIndex.FIRST,
                        HoldIndex.upTo(tickAt))) {
            due = entries.hasNext() || deadlines.hasNext();
        }
        if (!due) {
            return;
        }
        int partition = context.taskId().partition();
        LedgerCommand tick = LedgerCommand.newBuilder()
                .setCommandId("tick:" + partition + ":" + tickAt)
                .setType(LedgerCommandType.TICK)
                .setAccountId(TICK_KEY)
                .setPartition(partition)
                .setRequestedAtMs(tickAt)
                .build();
        context.forward(new Record<>((Object) TICK_KEY, (Object) tick, tickAt), sinks.legs());
    }

    /**
     * Expires the holds due by {@code streamTimeMs}, oldest first: every one of this task's ({@code accountId} null,
     * for a TICK), or only those on {@code accountId}, before a command for that account is applied.
     */
    private void expireHolds(long streamTimeMs, String accountId) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = expiries.range(HoldIndex.FIRST, HoldIndex.upTo(streamTimeMs))) {
            entries.forEachRemaining(entry -> due.add(entry.value));
        }
        for (String paymentId : due) {
            HoldState hold = holds.get(paymentId);
            if (hold == null || (accountId != null && !accountId.equals(hold.getAccountId()))) {
                continue;
            }
            LedgerOutcome outcome = LedgerRules.expire(accounts.get(hold.getAccountId()), hold, streamTimeMs);
            applyHold(outcome);
            accounts.put(hold.getAccountId(), outcome.newState());
            sinks.forward(context, new Record<>(hold.getAccountId(), (Object) null, streamTimeMs),
                    outcome.emissions());
        }
    }

    private void applyHold(LedgerOutcome outcome) {
        LedgerOutcome.HoldChange change = outcome.hold();
        if (change == null) {
            return;
        }
        if (change.previous() != null) {
            expiries.delete(HoldIndex.key(change.previous()));
        }
        if (change.next() == null) {
            holds.delete(change.paymentId());
        } else {
            holds.put(change.paymentId(), change.next());
            expiries.put(HoldIndex.key(change.next()), change.paymentId());
        }
    }

    @Override
    public void process(Record<String, LedgerCommand> record) {
        if (LedgerTopology.END_OF_BATCH_KEY.equals(record.key()) && record.value() == null) {
            sendOutbox();
            return;
        }
        apply(record, false);
        int applied = 0;
        while (!inPlace.isEmpty()) {
            LedgerCommand next = inPlace.poll();
            if (++applied > IN_PLACE_MAX) {
                inPlace.clear();
                throw new FailTaskException("more than " + IN_PLACE_MAX + " commands applied in place after "
                        + describe(record), null);
            }
            apply(record.withKey(next.getAccountId()).withValue(next), true);
        }
        // A batch's payments come one by one from batch intake, which says when the last is done.
        if (context.recordMetadata().map(RecordMetadata::topic).filter(Topics::isBatchTopic).isEmpty()) {
            sendOutbox();
        }
    }

    /** Sends the outbox: each partition's legs as the leg itself when alone, else as one LEGS command. */
    private void sendOutbox() {
        if (outbox.isEmpty()) {
            return;
        }
        try {
            for (List<LedgerCommand> legs : outbox.values()) {
                LedgerCommand first = legs.get(0);
                LedgerCommand sent = legs.size() == 1 ? first : LedgerCommand.newBuilder()
                        .setCommandId(first.getCommandId() + "+" + (legs.size() - 1))
                        .setType(LedgerCommandType.LEGS)
                        .setAccountId(first.getAccountId())
                        .setRequestedAtMs(first.getRequestedAtMs())
                        .setLegs(List.copyOf(legs))
                        .build();
                context.forward(outboxInput.withKey((Object) sent.getAccountId()).withValue((Object) sent),
                        sinks.legs());
            }
        } finally {
            outbox.clear();
            outboxInput = null;
        }
    }

    /** A LEGS record's legs: applied in place, in order, each as if it had come on its own. */
    private void unpack(Record<String, LedgerCommand> record, boolean inPlace) {
        List<LedgerCommand> legs = record.value().getLegs();
        if (legs == null || legs.isEmpty() || record.key() == null) {
            IllegalArgumentException empty = new IllegalArgumentException("LEGS " + record.value().getCommandId()
                    + " carries no legs");
            LOG.error("ledger command goes to the dead-letter topic: {}", describe(record), empty);
            deadLetter(record, inPlace, empty);
            return;
        }
        // The sender grouped them by the partition their keys hash to, which is this record's: the ledger topic's
        // partition count never changes under a running application (its stores are partitioned the same way).
        this.inPlace.addAll(legs);
    }

    /**
     * Applies one command: read from the ledger topic or handed over by request intake ({@code inPlace} false), or
     * sent by a command of an atomic batch to an account of this same task ({@code inPlace} true).
     */
    private void apply(Record<String, LedgerCommand> record, boolean inPlace) {
        if (record.value() != null && record.value().getType() == LedgerCommandType.VOTE) {
            vote(record, inPlace);
            return;
        }
        if (record.value() != null && record.value().getType() == LedgerCommandType.LEGS) {
            unpack(record, inPlace);
            return;
        }
        try {
            long streamTimeMs = Math.max(record.timestamp(), context.currentStreamTimeMs());
            AccountState account = record.key() == null ? null : accounts.get(record.key());
            if (HoldIndex.expiresAll(record.value())) {
                expireHolds(streamTimeMs, null);
                timeOutBatches(streamTimeMs, record);
            } else if (account != null && account.getHeld() > 0) {
                // Only an account that holds something can have a hold to expire: the scan is for those alone.
                expireHolds(streamTimeMs, record.key());
                account = accounts.get(record.key());
            }
            int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(0);
            LedgerOutcome outcome = LedgerRules.decide(account, kept(record.value()), record.key(), record.value(),
                    record.timestamp(), new LedgerPosition(partition, partitions));
            Map<String, BigInteger> totals = new TreeMap<>();
            outcome.flowDeltas().forEach((key, delta) -> totals.put(key, InFlight.add(flows.get(key), delta)));
            write(record, outcome, totals, inPlace);
        } catch (RuntimeException e) {
            throw new FailTaskException("the ledger could not apply " + describe(record) + "; failing the task so "
                    + "that it is replayed from the last commit", e);
        }
    }

    /** What this task keeps about the command's payment: read only for the commands that use it. */
    private PaymentOnAccount kept(LedgerCommand command) {
        if (command == null || command.getPaymentId() == null) {
            return PaymentOnAccount.NONE;
        }
        String paymentId = command.getPaymentId();
        HoldState hold = HoldIndex.touchesHold(command) ? holds.get(paymentId) : null;
        Long refundedSoFar = RefundRules.readsRefunded(command) ? refunded.get(paymentId) : null;
        boolean refundApplied = command.getType() == LedgerCommandType.REFUND && command.getActionId() != null
                && appliedRefunds.get(RefundRules.appliedKey(paymentId, command.getActionId())) != null;
        CardTopUp cardTopUp = CardTopUpRules.readsCardTopUp(command) ? cardTopUps.get(paymentId) : null;
        return new PaymentOnAccount(hold, refundedSoFar == null ? 0 : refundedSoFar, refundApplied, cardTopUp);
    }

    private void write(Record<String, LedgerCommand> record, LedgerOutcome outcome, Map<String, BigInteger> totals,
            boolean inPlace) {
        if (outcome.failure() != null) {
            LOG.error("ledger command failed and goes to the dead-letter topic: {}", describe(record),
                    outcome.failure());
            deadLetter(record, inPlace, outcome.failure());
        }
        applyHold(outcome);
        if (outcome.refund() != null) {
            refunded.put(outcome.refund().paymentId(), outcome.refund().refunded());
            if (outcome.refund().refundId() != null) {
                appliedRefunds.put(RefundRules.appliedKey(outcome.refund().paymentId(), outcome.refund().refundId()),
                        outcome.refund().refunded());
            }
        }
        if (outcome.cardTopUp() != null) {
            cardTopUps.put(outcome.cardTopUp().getPaymentId(), outcome.cardTopUp());
        } else if (outcome.failure() == null && record.value() != null
                && record.value().getType() == LedgerCommandType.CARD_RESULT) {
            metrics.duplicateChargeResult();
        }
        if (outcome.newState() != null) {
            accounts.put(record.key(), outcome.newState());
            totals.forEach(flows::put);
            if (record.value().getType() == LedgerCommandType.REVERSAL) {
                metrics.reversalApplied(record.value().getCurrency(), record.value().getReason());
            }
        }
        forward(record, outcome.emissions());
    }

    /**
     * Forwards {@code emissions}; the commands of an atomic batch for an account of this task are applied in place,
     * in this transaction, rather than sent round the ledger topic: a batch whose payers and payees share a task is
     * decided and moved in one transaction.
     */
    private void forward(Record<String, LedgerCommand> record, Emissions emissions) {
        if (emissions.legs().isEmpty()) {
            sinks.forward(context, record, emissions);
            return;
        }
        sinks.forward(context, record, emissions.withoutLegs());
        int here = context.taskId().partition();
        for (LedgerCommand leg : emissions.legs()) {
            if (leg.getType() == LedgerCommandType.CLOSE_PROBE) {
                // Routed to every partition by the sink's partitioner, not by its key.
                context.forward(record.withKey((Object) leg.getAccountId()).withValue((Object) leg), sinks.legs());
            } else if (AtomicBatchRules.isAtomic(leg) && Partitions.of(leg.getAccountId(), partitions) == here) {
                inPlace.add(leg);
            } else {
                toOutbox(record, leg);
            }
        }
    }

    private void toOutbox(Record<String, LedgerCommand> record, LedgerCommand leg) {
        if (outboxInput == null) {
            outboxInput = record;
        }
        outbox.computeIfAbsent(Partitions.of(leg.getAccountId(), partitions), partition -> new ArrayList<>())
                .add(leg);
    }

    /** The coordinator counts a vote of an atomic batch, and sends the batch's captures or voids once decided. */
    private void vote(Record<String, LedgerCommand> record, boolean inPlace) {
        LedgerCommand vote = record.value();
        AtomicBatchRules.Decision decision;
        try {
            Invariants.check(vote.getAccountId() != null && vote.getAccountId().equals(record.key()),
                    "VOTE %s for %s is keyed %s", vote.getCommandId(), vote.getAccountId(), record.key());
            Invariants.check(vote.getBatchId() != null && vote.getBatchIndex() != null, "VOTE %s names no batch",
                    vote.getCommandId());
            String batchId = vote.getBatchId();
            decision = AtomicBatchRules.vote(atomicBatches.get(batchId),
                    atomicVotes.get(voteKey(batchId, vote.getBatchIndex())) != null, () -> keptVotes(batchId), vote,
                    Math.max(record.timestamp(), context.currentStreamTimeMs()));
        } catch (RuntimeException e) {
            LOG.error("atomic batch vote goes to the dead-letter topic: {}", describe(record), e);
            deadLetter(record, inPlace, e);
            return;
        }
        try {
            store(decision, vote);
            forward(record, legsOf(decision));
        } catch (RuntimeException e) {
            throw new FailTaskException("the ledger could not count " + describe(record) + "; failing the task so "
                    + "that it is replayed from the last commit", e);
        }
    }

    /**
     * Dead-letters {@code record}: with the ledger topic's position when it was read from it, without one when request
     * intake handed it over or a command of this task sent it in place (it was never on the ledger topic).
     */
    private void deadLetter(Record<String, LedgerCommand> record, boolean inPlace, Exception failure) {
        if (!inPlace && context.recordMetadata().map(RecordMetadata::topic).filter(source.name()::equals)
                .isPresent()) {
            sinks.deadLetter(context, record, source, failure, metrics);
        } else {
            sinks.deadLetterHandedOver(context, record, source, failure, metrics);
        }
    }

    /**
     * Stores what the coordinator decided: the vote kept or the batch's votes forgotten, the deadline entry, the batch.
     *
     * @param vote the vote counted, or null for a decision no vote brought (a timeout)
     */
    private void store(AtomicBatchRules.Decision decision, LedgerCommand vote) {
        AtomicBatch batch = decision.batch();
        if (batch == null) {
            return;
        }
        String deadline = HoldIndex.deadlineKey(batch.getDeadlineMs(), batch.getBatchId());
        if (decision.keepVote()) {
            atomicVotes.put(voteKey(batch.getBatchId(), vote.getBatchIndex()), vote);
        }
        if (decision.forgetVotes()) {
            keptVotes(batch.getBatchId()).forEach(kept -> atomicVotes.delete(voteKey(batch.getBatchId(),
                    kept.getBatchIndex())));
            metrics.atomicBatchDecided(AtomicBatchRules.outcome(batch));
        }
        if (batch.getDecided()) {
            atomicDeadlines.delete(deadline);
        } else {
            atomicDeadlines.put(deadline, batch.getBatchId());
        }
        atomicBatches.put(batch.getBatchId(), batch);
    }

    /** Rejects every atomic batch of this task whose votes are not all in by {@code streamTimeMs}. */
    private void timeOutBatches(long streamTimeMs, Record<String, LedgerCommand> record) {
        List<String> due = new ArrayList<>();
        try (KeyValueIterator<String, String> entries = atomicDeadlines.range(HoldIndex.FIRST,
                HoldIndex.upTo(streamTimeMs))) {
            entries.forEachRemaining(entry -> due.add(entry.value));
        }
        for (String batchId : due) {
            AtomicBatch batch = atomicBatches.get(batchId);
            if (batch.getDecided()) {
                atomicDeadlines.delete(HoldIndex.deadlineKey(batch.getDeadlineMs(), batchId));
                continue;
            }
            AtomicBatchRules.Decision decision = AtomicBatchRules.timeOut(batch, keptVotes(batchId), streamTimeMs);
            LOG.warn("atomic batch {} timed out with {} of {} votes: rejected", batchId, batch.getVotes(),
                    batch.getSize());
            store(decision, null);
            forward(record, legsOf(decision));
        }
    }

    private static Emissions legsOf(AtomicBatchRules.Decision decision) {
        Emissions.Builder legs = Emissions.builder();
        decision.legs().forEach(legs::leg);
        return legs.build();
    }

    /** The votes stored for {@code batchId}, in index order. */
    private List<LedgerCommand> keptVotes(String batchId) {
        List<LedgerCommand> kept = new ArrayList<>();
        try (KeyValueIterator<String, LedgerCommand> votes = atomicVotes.prefixScan(batchId + "/",
                Serdes.String().serializer())) {
            votes.forEachRemaining(entry -> kept.add(entry.value));
        }
        return kept;
    }

    /** The {@code atomic-votes} key of a payment's vote: the batch, then the index, so a batch is one prefix. */
    static String voteKey(String batchId, int index) {
        return String.format("%s/%05d", batchId, index);
    }

    private static String describe(Record<String, LedgerCommand> record) {
        LedgerCommand command = record.value();
        return "key=" + record.key() + " type=" + (command == null ? null : command.getType()) + " command="
                + (command == null ? null : command.getCommandId());
    }
}
