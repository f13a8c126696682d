package io.paystream.schemas.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * A latency histogram with exponential buckets of growth 2^(1/4) (about 19% each, the resolution of Prometheus's native
 * histograms at schema 2), kept as a plain list of counts so that buckets from every partition and instance add up
 * exactly. Index 0 holds latencies of at most 1 ms; index i those in (2^((i-1)/4), 2^(i/4)] ms; the last index
 * everything beyond (about 9 h). A percentile is read as its bucket's upper bound, so it is at most 19% high.
 *
 * <p>Why not HdrHistogram: each payment updates a stored bucket, and a compressed HdrHistogram costs an inflate and
 * a deflate per update, where this costs a list of at most {@value #BUCKETS} longs.
 */
public final class LatencyHistogram {
    /** Bucket count: index 100 is 2^25 ms, about 9.3 hours. */
    public static final int BUCKETS = 101;

    private LatencyHistogram() {
    }

    /** The bucket of a latency of {@code millis}. */
    public static int indexOf(long millis) {
        if (millis <= 1) {
            return 0;
        }
        int index = (int) Math.ceil(4 * (Math.log((double) millis) / Math.log(2)) - 1e-9);
        return Math.min(Math.max(index, 0), BUCKETS - 1);
    }

    /** The upper bound of bucket {@code index}, in milliseconds. */
    public static double upperBoundMs(int index) {
        return Math.pow(2, index / 4.0);
    }

    /** A copy of {@code counts} with one more latency of {@code millis}. */
    public static List<Long> record(List<Long> counts, long millis) {
        int index = indexOf(millis);
        List<Long> next = new ArrayList<>(counts);
        while (next.size() <= index) {
            next.add(0L);
        }
        next.set(index, next.get(index) + 1);
        return next;
    }

    /** Adds {@code more} into {@code into}, growing it as needed. */
    public static void addInto(List<Long> into, List<Long> more) {
        for (int i = 0; i < more.size(); i++) {
            if (i < into.size()) {
                into.set(i, into.get(i) + more.get(i));
            } else {
                into.add(more.get(i));
            }
        }
    }

    /** How many latencies {@code counts} holds. */
    public static long total(List<Long> counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        return total;
    }

    /**
     * The {@code quantile} (0 to 1) of {@code counts}, as the upper bound of the bucket that holds it, in ms; null
     * when there is none.
     */
    public static Double quantileMs(List<Long> counts, double quantile) {
        long total = total(counts);
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < counts.size(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return upperBoundMs(i);
            }
        }
        return upperBoundMs(counts.size() - 1);
    }
}
