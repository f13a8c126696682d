package io.paystream.processor.kafka;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Knows whether any store of this instance is restoring from its changelog. While one is, its task's input partitions
 * are paused and their records wait by design, which must not be taken for a stall. Kafka Streams calls it from the
 * restoring thread; readers may ask from any thread.
 */
public final class RestoreTracker implements StateRestoreListener {
    private final Set<String> restoring = ConcurrentHashMap.newKeySet();

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
        restoring.add(key(partition, store));
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
        // Only the start and the end matter here.
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(key(partition, store));
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
        restoring.remove(key(partition, store));
    }

    /** True while at least one store restores. */
    public boolean restoring() {
        return !restoring.isEmpty();
    }

    private static String key(TopicPartition partition, String store) {
        return partition + "/" + store;
    }
}
