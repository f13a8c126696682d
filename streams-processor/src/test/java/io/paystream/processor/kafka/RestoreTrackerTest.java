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

    @Test
    void saysWhereEachRestoreStandsAndCountsEveryStep() {
        RestoreTracker tracker = new RestoreTracker();
        assertThat(tracker.describe()).isEmpty();
        long before = tracker.progress();

        tracker.onRestoreStart(PAYMENTS_1, "payments", 238, 242);
        assertThat(tracker.describe()).isEqualTo("app-payments-changelog-1 (store payments) at offset 238 of 242");
        long started = tracker.progress();
        tracker.onBatchRestored(PAYMENTS_1, "payments", 239, 2);

        assertThat(started).isGreaterThan(before);
        assertThat(tracker.progress()).isGreaterThan(started);
        assertThat(tracker.describe()).isEqualTo("app-payments-changelog-1 (store payments) at offset 240 of 242");
        for (int partition = 2; partition < 6; partition++) {
            tracker.onRestoreStart(new TopicPartition("app-payments-changelog", partition), "payments", 0, 9);
        }
        assertThat(tracker.describe()).endsWith(" and 2 more");
    }
}
