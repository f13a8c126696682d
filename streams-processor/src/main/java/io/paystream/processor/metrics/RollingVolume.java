package io.paystream.processor.metrics;

import java.time.Duration;

/**
 * A sum over a sliding window of wall-clock time, kept in one-second buckets: what this instance settled in the last
 * minute, for a gauge. Thread-safe; memory is one slot per second of the window.
 */
final class RollingVolume {
    private static final long SLOT_MS = 1_000;

    private final long[] sums;
    private final long[] slotStarts;

    RollingVolume(Duration window) {
        int slots = (int) Math.max(1, window.toMillis() / SLOT_MS);
        this.sums = new long[slots];
        this.slotStarts = new long[slots];
        java.util.Arrays.fill(slotStarts, Long.MIN_VALUE);
    }

    /** Adds {@code amount} at wall-clock time {@code nowMs}. */
    synchronized void add(long amount, long nowMs) {
        long slotStart = nowMs - Math.floorMod(nowMs, SLOT_MS);
        int index = (int) Math.floorMod(slotStart / SLOT_MS, (long) sums.length);
        if (slotStarts[index] != slotStart) {
            slotStarts[index] = slotStart;
            sums[index] = 0;
        }
        sums[index] = saturatedAdd(sums[index], amount);
    }

    /** The sum of what was added in the window that ends at {@code nowMs}. */
    synchronized long total(long nowMs) {
        long oldest = nowMs - Math.floorMod(nowMs, SLOT_MS) - (sums.length - 1) * SLOT_MS;
        long total = 0;
        for (int i = 0; i < sums.length; i++) {
            if (slotStarts[i] >= oldest && slotStarts[i] <= nowMs) {
                total = saturatedAdd(total, sums[i]);
            }
        }
        return total;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
