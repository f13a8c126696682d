package io.paystream.console.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paystream.web.errors.ApiException;
import org.junit.jupiter.api.Test;

class SimulatorSettingsTest {
    @Test
    void fillsInDefaults() {
        assertThat(new SimulatorSettings(null, null, null).checked()).isEqualTo(new SimulatorSettings(20, 60, 10));
        assertThat(new SimulatorSettings(200, 600, 4).checked()).isEqualTo(new SimulatorSettings(200, 600, 4));
    }

    @Test
    void refusesEachFieldOutOfItsBoundsByName() {
        assertThatThrownBy(() -> new SimulatorSettings(201, 10, 10).checked()).isInstanceOf(ApiException.class)
                .hasMessageContaining("ratePerSecond must be from 1 to 200");
        assertThatThrownBy(() -> new SimulatorSettings(0, 10, 10).checked())
                .hasMessageContaining("ratePerSecond");
        assertThatThrownBy(() -> new SimulatorSettings(10, 601, 10).checked())
                .hasMessageContaining("durationSeconds must be from 1 to 600");
        assertThatThrownBy(() -> new SimulatorSettings(10, 0, 10).checked()).hasMessageContaining("durationSeconds");
        assertThatThrownBy(() -> new SimulatorSettings(10, 10, 3).checked())
                .hasMessageContaining("accounts must be from 4 to 100");
        assertThatThrownBy(() -> new SimulatorSettings(10, 10, 101).checked()).hasMessageContaining("accounts");
    }
}
