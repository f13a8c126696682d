package io.paystream.schemas.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void everyLatencyFallsInTheBucketWhoseBoundsHoldIt() {
        for (long millis = 2; millis < 5_000_000; millis = millis * 3 / 2 + 1) {
            int index = LatencyHistogram.indexOf(millis);
            assertThat(LatencyHistogram.upperBoundMs(index)).as("upper bound of %d ms", millis)
                    .isGreaterThanOrEqualTo((double) millis);
            assertThat(LatencyHistogram.upperBoundMs(index - 1)).as("lower bound of %d ms", millis).isLessThan((double) millis);
        }
        assertThat(LatencyHistogram.indexOf(0)).isZero();
        assertThat(LatencyHistogram.indexOf(1)).isZero();
        assertThat(LatencyHistogram.indexOf(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
    }

    @Test
    void percentilesAreAtMostOneBucketAboveTheExactOnes() {
        Random random = new Random(7);
        long[] samples = new long[10_000];
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < samples.length; i++) {
            samples[i] = 1 + (long) Math.exp(random.nextGaussian() * 1.5 + 4);
            counts = LatencyHistogram.record(counts, samples[i]);
        }
        Arrays.sort(samples);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            long exact = samples[(int) Math.ceil(q * samples.length) - 1];
            assertThat(LatencyHistogram.quantileMs(counts, q)).as("p%s", q * 100)
                    .isBetween((double) exact, exact * Math.pow(2, 0.25));
        }
        assertThat(LatencyHistogram.total(counts)).isEqualTo(samples.length);
    }

    @Test
    void histogramsAddUpBucketByBucket() {
        List<Long> into = new ArrayList<>(LatencyHistogram.record(List.of(), 3));
        LatencyHistogram.addInto(into, LatencyHistogram.record(LatencyHistogram.record(List.of(), 3), 5_000));
        assertThat(LatencyHistogram.total(into)).isEqualTo(3);
        assertThat(into.get(LatencyHistogram.indexOf(3))).isEqualTo(2);
        assertThat(LatencyHistogram.quantileMs(List.of(), 0.5)).isNull();
    }
}
