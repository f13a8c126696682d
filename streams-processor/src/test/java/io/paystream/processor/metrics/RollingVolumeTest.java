package io.paystream.processor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RollingVolumeTest {
    private static final long T0 = 1_800_000_000_000L;

    @Test
    void sumsWhatWasAddedWithinTheWindow() {
        RollingVolume volume = new RollingVolume(Duration.ofMinutes(1));
        volume.add(100, T0);
        volume.add(50, T0 + 30_000);
        assertThat(volume.total(T0 + 30_000)).isEqualTo(150);
        assertThat(volume.total(T0 + 59_000)).isEqualTo(150);
    }

    @Test
    void forgetsWhatFellOutOfTheWindow() {
        RollingVolume volume = new RollingVolume(Duration.ofMinutes(1));
        volume.add(100, T0);
        volume.add(50, T0 + 30_000);
        assertThat(volume.total(T0 + 60_000)).isEqualTo(50);
        assertThat(volume.total(T0 + 95_000)).isZero();
    }

    @Test
    void aSlotReusedAfterAFullTurnStartsFromZero() {
        RollingVolume volume = new RollingVolume(Duration.ofMinutes(1));
        volume.add(100, T0);
        volume.add(7, T0 + 60_000); // same slot index, one minute later
        assertThat(volume.total(T0 + 60_000)).isEqualTo(7);
    }

    @Test
    void saturatesInsteadOfOverflowing() {
        RollingVolume volume = new RollingVolume(Duration.ofSeconds(2));
        volume.add(Long.MAX_VALUE - 1, T0);
        volume.add(10, T0 + 1_000);
        assertThat(volume.total(T0 + 1_000)).isEqualTo(Long.MAX_VALUE);
    }
}
