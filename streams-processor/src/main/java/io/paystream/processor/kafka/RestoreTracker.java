package io.paystream.processor.kafka;

import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Knows which stores of this instance are restoring from their changelogs, and whether their restores move. While one
 * restores, its task's input partitions are paused and their records wait by design, which must not be taken for a
 * stall; a restore that stops moving is one (an open transaction that never ends holds its changelog back). Kafka
 * Streams calls it from the restoring thread; readers may ask from any thread.
 */
public final class RestoreTracker implements StateRestoreListener {
    private static final int NAMED = 3;

    private final Map<String, Restore> restoring = new ConcurrentHashMap<>();
    private final AtomicLong events = new AtomicLong();

    /** One store's restore: the next offset it will apply, and the changelog's end when the restore started. */
    private record Restore(TopicPartition partition, String store, long next, long end) {
        String describe() {
            return partition + " (store " + store + ") at offset " + next + " of " + end;
        }
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        restoring.put(key(partition, store), new Restore(partition, store, startingOffset, endingOffset));
        events.incrementAndGet();
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
        restoring.computeIfPresent(key(partition, store),
                (key, restore) -> new Restore(partition, store, batchEndOffset + 1, restore.end()));
        events.incrementAndGet();
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(key(partition, store));
        events.incrementAndGet();
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(key(partition, store));
        events.incrementAndGet();
    }

    /** True while at least one store restores. */
    public boolean restoring() {
        return !restoring.isEmpty();
    }

    /** A count that moves whenever a restore starts, applies a batch, ends or is suspended. */
    public long progress() {
        return events.get();
    }

    /** The restoring changelogs, the first few by name, with where each stands; empty when none restores. */
    public String describe() {
        String named = restoring.values().stream().sorted(Comparator.comparing(Restore::describe)).limit(NAMED)
                .map(Restore::describe).collect(Collectors.joining(", "));
        int more = restoring.size() - NAMED;
        return more > 0 ? named + " and " + more + " more" : named;
    }

    private static String key(TopicPartition partition, String store) {
        return partition + "/" + store;
    }
}
