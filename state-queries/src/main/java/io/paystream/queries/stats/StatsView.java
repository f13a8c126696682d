package io.paystream.queries.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@code GET /v1/stats}: per currency, the window's totals and its series of buckets.
 *
 * @param window 1m, 1h or 24h
 * @param from the start of the window's first bucket (ISO-8601)
 * @param to when the window ends: now
 * @param bucketSeconds the size of each series bucket
 * @param currencies sorted by code
 */
public record StatsView(String window, String from, String to, long bucketSeconds, List<Currency> currencies) {
    /**
     * One currency's figures over the window.
     *
     * @param counts payments that reached each status in the window (ACCEPTED, COMPLETED, REJECTED, ...)
     * @param volume the sum of completed amounts, in minor units
     * @param successRate COMPLETED / (COMPLETED + REJECTED + REVERSED), or null when none finished
     * @param reversals payments REVERSED in the window
     * @param latencyMs end-to-end latency of payments that finished straight through in the window
     * @param inFlight payments accepted and not yet finished, now (not windowed)
     * @param series the window's buckets, oldest first, every bucket present
     */
    public record Currency(String currency, Map<String, Long> counts, long volume,
            @JsonInclude(JsonInclude.Include.ALWAYS) Double successRate, long reversals, Latency latencyMs,
            long inFlight, List<Point> series) {
    }

    /**
     * Percentiles of the time from acceptance to the terminal status.
     *
     * @param count how many latencies the percentiles are of
     * @param p50 the median, as its histogram bucket's upper bound (at most 19% high), or null
     * @param p99 the 99th percentile, likewise
     */
    public record Latency(long count, @JsonInclude(JsonInclude.Include.ALWAYS) Double p50,
            @JsonInclude(JsonInclude.Include.ALWAYS) Double p99) {
    }

    /** One bucket of the series. */
    public record Point(String start, Map<String, Long> counts, long volume) {
    }
}
