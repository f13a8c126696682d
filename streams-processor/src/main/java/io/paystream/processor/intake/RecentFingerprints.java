package io.paystream.processor.intake;

import java.time.Duration;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * The {@code payment-action-fingerprints} window store as action intake uses it: what was remembered for an action id
 * within the idempotency window, and remembering it, both as of stream time.
 */
final class RecentFingerprints {
    private final WindowStore<String, String> store;
    private final long windowMs;

    RecentFingerprints(ProcessorContext<?, ?> context, Duration idempotencyWindow) {
        this.store = context.getStateStore(PaymentIntakeTopology.ACTION_FINGERPRINTS_STORE);
        this.windowMs = idempotencyWindow.toMillis();
    }

    /**
     * Stream time, not the record's own timestamp: a request stamped in the past is remembered as of now, so an old
     * timestamp cannot make it expire at once.
     */
    static long now(ProcessorContext<?, ?> context, Record<?, ?> record) {
        return Math.max(record.timestamp(), context.currentStreamTimeMs());
    }

    /** The fingerprint remembered for {@code id} within the window before {@code nowMs}, or null. */
    String find(String id, long nowMs) {
        try (WindowStoreIterator<String> remembered = store.fetch(id, Math.max(0, nowMs - windowMs),
                Long.MAX_VALUE)) {
            return remembered.hasNext() ? remembered.next().value : null;
        }
    }

    void remember(String id, String fingerprint, long nowMs) {
        store.put(id, fingerprint, nowMs);
    }
}
