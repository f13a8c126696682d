package io.paystream.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.testing.Pipeline;
import io.paystream.schemas.avro.StatsBucket;
import io.paystream.schemas.stats.LatencyHistogram;
import io.paystream.schemas.stats.StatsWindow;
import io.paystream.testing.StatsFromJournal;
import java.util.Map;
import java.util.TreeMap;

/** Checks a pipeline's stats stores against the stats computed from its journal of events. */
public final class StatsAssertions {
    private StatsAssertions() {
    }

    /** Asserts that {@code window}'s store and the in-flight store hold exactly what the journal says. */
    public static void assertStatsMatchJournal(Pipeline pipeline, StatsWindow window, StatsScopes scopes,
            String description) {
        StatsFromJournal expected = new StatsFromJournal(pipeline.eventRecords().stream()
                .map(r -> new StatsFromJournal.Entry(r.timestamp(), r.value())).toList(), window, scopes::of);
        Map<String, Map<Long, StatsFromJournal.Expected>> actual = new TreeMap<>();
        pipeline.statsBuckets(window).forEach((key, buckets) -> {
            Map<Long, StatsFromJournal.Expected> byStart = new TreeMap<>();
            buckets.forEach((start, bucket) -> byStart.put(start, asExpected(bucket)));
            actual.put(key, byStart);
        });
        assertThat(actual).as("%s buckets of %s", window.store(), description).isEqualTo(expected.buckets());
        assertThat(pipeline.statsInFlight()).as("in-flight stats of %s", description).isEqualTo(expected.inFlight());
    }

    private static StatsFromJournal.Expected asExpected(StatsBucket bucket) {
        return new StatsFromJournal.Expected(new TreeMap<>(bucket.getCounts()), bucket.getVolume(),
                LatencyHistogram.total(bucket.getLatencyBuckets()));
    }
}
