package io.paystream.queries.stats;

import io.paystream.schemas.stats.LatencyHistogram;
import io.paystream.schemas.stats.StatsWindow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Adds up every partition's {@link StatsParts} into the {@link StatsView} of a window. */
public final class StatsMerge {
    private StatsMerge() {
    }

    public static StatsView merge(StatsWindow window, long nowMs, Collection<StatsParts> parts) {
        long first = window.firstBucketStart(nowMs);
        long size = window.bucketSize().toMillis();
        Map<String, Totals> byCurrency = new TreeMap<>();
        for (StatsParts part : parts) {
            for (StatsParts.Bucket bucket : part.buckets()) {
                int index = (int) ((bucket.startMs() - first) / size);
                if (bucket.startMs() < first || index >= window.buckets()) {
                    continue;
                }
                Totals totals = byCurrency.computeIfAbsent(bucket.currency(), c -> new Totals(window.buckets()));
                totals.add(index, bucket);
            }
            part.inFlight().forEach((currency, count) ->
                    byCurrency.computeIfAbsent(currency, c -> new Totals(window.buckets())).inFlight += count);
        }
        List<StatsView.Currency> currencies = new ArrayList<>();
        byCurrency.forEach((currency, totals) -> currencies.add(totals.view(currency, first, size)));
        return new StatsView(window.label(), Instant.ofEpochMilli(first).toString(),
                Instant.ofEpochMilli(nowMs).toString(), window.bucketSize().toSeconds(), currencies);
    }

    private static final class Totals {
        final Map<String, Long> counts = new TreeMap<>();
        final List<Long> latency = new ArrayList<>();
        final List<Map<String, Long>> seriesCounts = new ArrayList<>();
        final long[] seriesVolume;
        long volume;
        long inFlight;

        Totals(int buckets) {
            seriesVolume = new long[buckets];
            for (int i = 0; i < buckets; i++) {
                seriesCounts.add(new TreeMap<>());
            }
        }

        void add(int index, StatsParts.Bucket bucket) {
            bucket.counts().forEach((status, count) -> {
                counts.merge(status, count, Long::sum);
                seriesCounts.get(index).merge(status, count, Long::sum);
            });
            volume += bucket.volume();
            seriesVolume[index] += bucket.volume();
            LatencyHistogram.addInto(latency, bucket.latency());
        }

        StatsView.Currency view(String currency, long first, long size) {
            long completed = counts.getOrDefault("COMPLETED", 0L);
            long reversed = counts.getOrDefault("REVERSED", 0L);
            long finished = completed + counts.getOrDefault("REJECTED", 0L) + reversed;
            List<StatsView.Point> series = new ArrayList<>();
            for (int i = 0; i < seriesVolume.length; i++) {
                series.add(new StatsView.Point(Instant.ofEpochMilli(first + i * size).toString(), seriesCounts.get(i),
                        seriesVolume[i]));
            }
            return new StatsView.Currency(currency, counts, volume, finished == 0 ? null : (double) completed / finished,
                    reversed, new StatsView.Latency(LatencyHistogram.total(latency),
                            LatencyHistogram.quantileMs(latency, 0.50), LatencyHistogram.quantileMs(latency, 0.99)),
                    inFlight, series);
        }
    }
}
