package io.paystream.queries.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.stats.LatencyHistogram;
import io.paystream.schemas.stats.StatsWindow;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsMergeTest {
    private static final long NOW = Instant.parse("2026-12-01T10:00:35Z").toEpochMilli();

    @Test
    void partitionsAddUpPerCurrencyAndBucket() {
        long current = StatsWindow.ONE_MINUTE.bucketStart(NOW);
        StatsParts first = new StatsParts(List.of(
                new StatsParts.Bucket("USD", current, Map.of("COMPLETED", 3L, "REJECTED", 1L), 300,
                        LatencyHistogram.record(LatencyHistogram.record(List.of(), 10), 20)),
                new StatsParts.Bucket("USD", current - 10_000, Map.of("REVERSED", 1L), 0, List.of())),
                Map.of("USD", 2L));
        StatsParts second = new StatsParts(List.of(
                new StatsParts.Bucket("USD", current, Map.of("COMPLETED", 1L), 50, LatencyHistogram.record(List.of(),
                        400)),
                new StatsParts.Bucket("EUR", current, Map.of("ACCEPTED", 1L), 0, List.of()),
                // Older than the window's first bucket: left out.
                new StatsParts.Bucket("USD", current - 60_000, Map.of("COMPLETED", 9L), 900, List.of())),
                Map.of("USD", 1L, "EUR", 1L));

        StatsView view = StatsMerge.merge(StatsWindow.ONE_MINUTE, NOW, List.of(first, second));

        assertThat(view.from()).isEqualTo("2026-12-01T09:59:40Z");
        assertThat(view.currencies()).extracting(StatsView.Currency::currency).containsExactly("EUR", "USD");
        StatsView.Currency usd = view.currencies().get(1);
        assertThat(usd.counts()).containsExactlyInAnyOrderEntriesOf(Map.of("COMPLETED", 4L, "REJECTED", 1L,
                "REVERSED", 1L));
        assertThat(usd.volume()).isEqualTo(350);
        assertThat(usd.successRate()).isEqualTo(4.0 / 6);
        assertThat(usd.reversals()).isEqualTo(1);
        assertThat(usd.inFlight()).isEqualTo(3);
        assertThat(usd.latencyMs().count()).isEqualTo(3);
        assertThat(usd.latencyMs().p50()).isBetween(20.0, 20 * 1.19);
        assertThat(usd.latencyMs().p99()).isBetween(400.0, 400 * 1.19);
        assertThat(usd.series()).hasSize(6);
        assertThat(usd.series().get(5).volume()).isEqualTo(350);
        assertThat(usd.series().get(4).counts()).containsEntry("REVERSED", 1L);
        assertThat(view.currencies().get(0).successRate()).as("nothing finished in EUR").isNull();
    }
}
