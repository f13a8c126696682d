package io.paystream.schemas.stats;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The windows {@code GET /v1/stats} answers for, each served by a window store of its own: tumbling buckets of a fixed
 * size, kept for a bounded retention. A window of {@code 1m} is the last {@link #buckets} buckets, the current one
 * included and still filling, so it covers between {@code span - bucketSize} and {@code span} of history; the series
 * that the console charts is those buckets.
 */
public enum StatsWindow {
    ONE_MINUTE("1m", "stats-10s", Duration.ofSeconds(10), 6, Duration.ofMinutes(5)),
    ONE_HOUR("1h", "stats-1m", Duration.ofMinutes(1), 60, Duration.ofHours(2)),
    ONE_DAY("24h", "stats-15m", Duration.ofMinutes(15), 96, Duration.ofHours(26));

    private final String label;
    private final String store;
    private final Duration bucketSize;
    private final int buckets;
    private final Duration retention;

    StatsWindow(String label, String store, Duration bucketSize, int buckets, Duration retention) {
        this.label = label;
        this.store = store;
        this.bucketSize = bucketSize;
        this.buckets = buckets;
        this.retention = retention;
    }

    /** The window named {@code label} ({@code 1m}, {@code 1h} or {@code 24h}). */
    public static Optional<StatsWindow> parse(String label) {
        return Arrays.stream(values()).filter(window -> window.label.equals(label)).findFirst();
    }

    public String label() {
        return label;
    }

    /** The window store's name. */
    public String store() {
        return store;
    }

    public Duration bucketSize() {
        return bucketSize;
    }

    public int buckets() {
        return buckets;
    }

    /** How long the store keeps a bucket: longer than the window, so that a restart or a late record loses nothing. */
    public Duration retention() {
        return retention;
    }

    /** The start of the bucket that holds {@code timestampMs}. */
    public long bucketStart(long timestampMs) {
        return Math.floorDiv(timestampMs, bucketSize.toMillis()) * bucketSize.toMillis();
    }

    /** The start of the window's first bucket, when now is {@code nowMs}. */
    public long firstBucketStart(long nowMs) {
        return bucketStart(nowMs) - (buckets - 1) * bucketSize.toMillis();
    }
}
