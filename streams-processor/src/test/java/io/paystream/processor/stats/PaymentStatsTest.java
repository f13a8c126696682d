package io.paystream.processor.stats;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.testing.Fixtures;
import io.paystream.processor.testing.Pipeline;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.StatsBucket;
import io.paystream.schemas.stats.LatencyHistogram;
import io.paystream.schemas.stats.StatsKeys;
import io.paystream.schemas.stats.StatsWindow;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PaymentStatsTest {
    private Pipeline pipeline;

    @BeforeEach
    void openAccounts() {
        pipeline = new Pipeline();
        for (String account : new String[] {"globex-a", "initech-b", "other-c"}) {
            pipeline.send(anOpen(account, "USD", AccountType.CUSTOMER).build());
        }
        pipeline.send(anOpen("initech-eur", "EUR", AccountType.CUSTOMER).build());
    }

    @AfterEach
    void close() {
        pipeline.close();
    }

    @Test
    void eachPaymentCountsForAdminAndForTheClientsWhoseAccountsItTouches() {
        pipeline.send(aTopUp("initech-b", 1_000).build());
        pipeline.send(aTransfer("initech-b", "globex-a", 300).build());
        pipeline.send(aTransfer("initech-b", "other-c", 200).build());
        // other-c holds 200: refused for insufficient funds, in other-c's scope only (no client owns it) and admin's.
        pipeline.send(aTransfer("other-c", "globex-a", 5_000).build());
        pipeline.send(aTopUp("initech-eur", 70).setCurrency("EUR").build());

        Map<String, Map<Long, StatsBucket>> buckets = pipeline.statsBuckets(StatsWindow.ONE_HOUR);
        assertThat(buckets).containsOnlyKeys("*|USD", "*|EUR", "globex|USD", "initech|USD", "initech|EUR");
        StatsBucket all = only(buckets.get("*|USD"));
        assertThat(all.getCounts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ACCEPTED", 4L, "COMPLETED", 3L, "REJECTED", 1L));
        assertThat(all.getVolume()).isEqualTo(1_500);
        assertThat(LatencyHistogram.total(all.getLatencyBuckets())).isEqualTo(4);
        StatsBucket globex = only(buckets.get("globex|USD"));
        assertThat(globex.getCounts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "ACCEPTED", 2L, "COMPLETED", 1L, "REJECTED", 1L));
        assertThat(globex.getVolume()).isEqualTo(300);
        StatsBucket initech = only(buckets.get("initech|USD"));
        assertThat(initech.getCounts()).containsExactlyInAnyOrderEntriesOf(Map.of("ACCEPTED", 3L, "COMPLETED", 3L));
        assertThat(initech.getVolume()).isEqualTo(1_500);
        assertThat(only(buckets.get("initech|EUR")).getVolume()).isEqualTo(70);
        assertThat(pipeline.statsInFlight()).isEmpty();
        StatsAssertions.assertStatsMatchJournal(pipeline, StatsWindow.ONE_MINUTE, Pipeline.STATS_SCOPES,
                "the scoped workload");
    }

    @Test
    void aHoldIsInFlightUntilItEndsAndItsCaptureIsVolumeButNotLatency() {
        pipeline.send(aTopUp("initech-b", 1_000).build());
        PaymentRequest hold = aTransfer("initech-b", "globex-a", 400).setCapture(CaptureMode.MANUAL).build();
        pipeline.send(hold);
        assertThat(pipeline.status(hold.getPaymentId())).isEqualTo(PaymentStatus.AUTHORIZED);
        assertThat(pipeline.statsInFlight()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "*|USD", 1L, "initech|USD", 1L, "globex|USD", 1L));

        pipeline.advance(Duration.ofSeconds(30));
        pipeline.send(Fixtures.anAction(ActionType.CAPTURE, hold.getPaymentId(), "capture").setAmount(250L).build());

        assertThat(pipeline.status(hold.getPaymentId())).isEqualTo(PaymentStatus.COMPLETED);
        assertThat(pipeline.statsInFlight()).isEmpty();
        Map<String, Map<Long, StatsBucket>> tenSeconds = pipeline.statsBuckets(StatsWindow.ONE_MINUTE);
        assertThat(tenSeconds.get("globex|USD")).as("the hold's bucket and the capture's").hasSize(2);
        long globexVolume = tenSeconds.get("globex|USD").values().stream().mapToLong(StatsBucket::getVolume).sum();
        assertThat(globexVolume).as("the captured amount").isEqualTo(250);
        long timed = tenSeconds.get(StatsKeys.key(StatsKeys.ALL, "USD")).values().stream()
                .mapToLong(b -> LatencyHistogram.total(b.getLatencyBuckets())).sum();
        assertThat(timed).as("only the top-up finished straight through").isEqualTo(1);
        StatsAssertions.assertStatsMatchJournal(pipeline, StatsWindow.ONE_MINUTE, Pipeline.STATS_SCOPES, "a hold");
    }

    @Test
    void aReplayedEventCountsNothingMore() {
        PaymentRequest topUp = aTopUp("initech-b", 1_000).build();
        pipeline.send(topUp);
        pipeline.send(topUp);

        assertThat(only(pipeline.statsBuckets(StatsWindow.ONE_DAY).get("*|USD")).getCounts())
                .containsExactlyInAnyOrderEntriesOf(Map.of("ACCEPTED", 1L, "COMPLETED", 1L));
    }

    private static StatsBucket only(Map<Long, StatsBucket> buckets) {
        assertThat(buckets).hasSize(1);
        return buckets.values().iterator().next();
    }
}
