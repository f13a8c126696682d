package io.paystream.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SupervisionTest {
    private final Supervision supervision = new Supervision();

    @Test
    void restartsAStalledProcessorABoundedNumberOfTimesPerWindow() {
        long minute = 60_000;
        assertThat(supervision.restart("processor", Supervision.STALL_EXIT_CODE, 0)).isTrue();
        assertThat(supervision.restart("processor", Supervision.STALL_EXIT_CODE, minute)).isTrue();
        assertThat(supervision.restart("processor", Supervision.STALL_EXIT_CODE, 2 * minute)).isTrue();
        assertThat(supervision.restart("processor", Supervision.STALL_EXIT_CODE, 3 * minute))
                .as("a fourth stall within 30 minutes").isFalse();
        assertThat(supervision.restart("processor", Supervision.STALL_EXIT_CODE, 31 * minute))
                .as("the first restart left the window").isTrue();
    }

    @Test
    void anyOtherExitStopsTheStack() {
        assertThat(supervision.restart("processor", 1, 0)).isFalse();
        assertThat(supervision.restart("processor", 137, 0)).as("killed").isFalse();
        assertThat(supervision.restart("ingress", Supervision.STALL_EXIT_CODE, 0)).isFalse();
    }

    @Test
    void aClusterBrokerIsRestartedWhateverItsExitButTheOnlyBrokerIsNot() {
        assertThat(supervision.restart("kafka-2", 137, 0)).as("kill -9 of one of three").isTrue();
        assertThat(supervision.restart("kafka-2", 1, 1)).isTrue();
        assertThat(supervision.restart("kafka-3", 137, 2)).as("each child has its own count").isTrue();
        assertThat(supervision.restart("kafka-2", 137, 3)).isTrue();
        assertThat(supervision.restart("kafka-2", 137, 4)).as("a fourth time within 30 minutes").isFalse();
        assertThat(supervision.restart("kafka", 137, 0)).as("a one-node stack has nothing left").isFalse();
    }
}
