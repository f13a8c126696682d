package io.paystream.testing;

import io.paystream.schemas.PaymentStatuses;
import io.paystream.schemas.avro.PaymentEvent;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.stats.StatsKeys;
import io.paystream.schemas.stats.StatsWindow;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * The payment stats computed the slow way, from the journal of {@code payments.events.v1}, to check the processor's
 * stats stores against. Rules, written out independently of the status view's fold:
 * <ul>
 *   <li>a payment exists from its first event that is not an action on an unknown payment;</li>
 *   <li>each status counts once per payment (once per action for refunds and failed actions), and only the first
 *       terminal status counts; ACCEPTED and AUTHORIZED never count after the payment finished;</li>
 *   <li>volume is the completed (or captured) amount; a latency counts for COMPLETED, REJECTED or REVERSED without an
 *       action;</li>
 *   <li>in flight: payments whose last counted status is ACCEPTED or AUTHORIZED.</li>
 * </ul>
 */
public final class StatsFromJournal {
    /** One event with its record timestamp. */
    public record Entry(long timestampMs, PaymentEvent event) {
    }

    /** What one bucket should hold. */
    public record Expected(Map<String, Long> counts, long volume, long latencies) {
    }

    private final Map<String, Map<Long, Expected>> buckets = new TreeMap<>();
    private final Map<String, Long> inFlight = new TreeMap<>();

    /**
     * @param scopes the scopes of a payment from its payer and payee (either may be null)
     */
    public StatsFromJournal(List<Entry> journal, StatsWindow window,
            BiFunction<String, String, Set<String>> scopes) {
        Map<String, PaymentEvent> first = new HashMap<>();
        Map<String, PaymentStatus> last = new HashMap<>();
        Set<String> counted = new HashSet<>();
        for (Entry entry : journal) {
            PaymentEvent event = entry.event();
            String id = event.getPaymentId();
            PaymentStatus status = event.getStatus();
            boolean lifecycle = status == PaymentStatus.ACCEPTED || status == PaymentStatus.AUTHORIZED
                    || PaymentStatuses.isTerminal(status);
            if (!lifecycle && (!first.containsKey(id) || event.getReason() == RejectionReason.UNKNOWN_PAYMENT)) {
                continue;
            }
            PaymentStatus before = last.get(id);
            if (lifecycle && before != null && PaymentStatuses.isTerminal(before)) {
                continue;
            }
            if (status == PaymentStatus.ACCEPTED && before != null) {
                continue;
            }
            String once = id + "|" + status + "|" + (lifecycle ? "" : event.getActionId());
            if (!counted.add(once)) {
                continue;
            }
            first.putIfAbsent(id, event);
            PaymentEvent payment = first.get(id);
            boolean finished = PaymentStatuses.isTerminal(status);
            long volume = status == PaymentStatus.COMPLETED
                    ? (event.getCapturedAmount() != null ? event.getCapturedAmount() : event.getAmount()) : 0;
            boolean timed = finished && event.getActionId() == null && (status == PaymentStatus.COMPLETED
                    || status == PaymentStatus.REJECTED || status == PaymentStatus.REVERSED);
            int inFlightChange = lifecycle && before == null && !finished ? 1
                    : lifecycle && before != null && finished ? -1 : 0;
            if (lifecycle) {
                last.put(id, status);
            }
            for (String scope : scopes.apply(payment.getFrom(), payment.getTo())) {
                String key = StatsKeys.key(scope, payment.getCurrency());
                long start = window.bucketStart(entry.timestampMs());
                Expected was = buckets.computeIfAbsent(key, k -> new TreeMap<>())
                        .getOrDefault(start, new Expected(Map.of(), 0, 0));
                Map<String, Long> counts = new TreeMap<>(was.counts());
                counts.merge(status.name(), 1L, Long::sum);
                buckets.get(key).put(start, new Expected(counts, was.volume() + volume,
                        was.latencies() + (timed ? 1 : 0)));
                if (inFlightChange != 0) {
                    inFlight.merge(key, (long) inFlightChange, Long::sum);
                }
            }
        }
        inFlight.values().removeIf(count -> count == 0);
    }

    /** scope|currency → bucket start → what the bucket should hold. */
    public Map<String, Map<Long, Expected>> buckets() {
        return buckets;
    }

    /** scope|currency → payments in flight, without zeros. */
    public Map<String, Long> inFlight() {
        return inFlight;
    }
}
