package io.paystream.queries.stats;

import java.util.List;
import java.util.Map;

/**
 * What one partition contributes to {@code GET /v1/stats}: its buckets in the window, and its in-flight counts. It is
 * what an instance sends the instance that merges, so its fields are plain JSON.
 *
 * @param buckets one per currency and bucket start
 * @param inFlight payments accepted and not yet finished, by currency
 */
public record StatsParts(List<Bucket> buckets, Map<String, Long> inFlight) {
    /**
     * One bucket of one currency, as one instance's stores hold it.
     *
     * @param currency ISO 4217 code, or XXX for requests rejected without a valid one
     * @param startMs the bucket's start
     * @param counts payments that reached each status in the bucket
     * @param volume the completed amount, in minor units
     * @param latency counts in {@code LatencyHistogram}'s buckets
     */
    public record Bucket(String currency, long startMs, Map<String, Long> counts, long volume, List<Long> latency) {
    }
}
