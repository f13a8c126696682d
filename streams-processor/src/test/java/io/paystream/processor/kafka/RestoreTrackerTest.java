package io.paystream.processor.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RestoreTrackerTest {
    private static final TopicPartition ACCOUNTS_0 = new TopicPartition("app-accounts-changelog", 0);
    private static final TopicPartition PAYMENTS_1 = new TopicPartition("app-payments-changelog", 1);

    @Test
    void restoresUntilEveryStoreThatStartedHasEndedOrBeenSuspended() {
        RestoreTracker tracker = new RestoreTracker();
        assertThat(tracker.restoring()).isFalse();

        tracker.onRestoreStart(ACCOUNTS_0, "accounts", 0, 100);
        tracker.onRestoreStart(PAYMENTS_1, "payments", 0, 50);
        tracker.onBatchRestored(ACCOUNTS_0, "accounts", 100, 100);
        tracker.onRestoreEnd(ACCOUNTS_0, "accounts", 100);
        assertThat(tracker.restoring()).as("payments is still restoring").isTrue();

        tracker.onRestoreSuspended(PAYMENTS_1, "payments", 20);
        assertThat(tracker.restoring()).isFalse();
    }
}
