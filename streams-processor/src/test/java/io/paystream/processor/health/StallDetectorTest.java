package io.paystream.processor.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.processor.health.StallDetector.Restores;
import io.paystream.processor.health.StallDetector.ThreadProgress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StallDetectorTest {
    private static final String THREAD = "app-StreamThread-1";
    private final StallDetector detector = new StallDetector(Duration.ofSeconds(10));

    private StallDetector.Verdict at(long seconds, double polls, double processed, long lag) {
        return detector.observe(seconds * 1_000, true, Restores.NONE,
                List.of(new ThreadProgress(THREAD, polls, processed, lag)), Set.of());
    }

    @Test
    void anIdleThreadThatKeepsPollingIsNotStalled() {
        for (int second = 0; second <= 60; second++) {
            assertThat(at(second, second * 10, 500, 0).stalled()).isFalse();
        }
    }

    @Test
    void aThreadThatStopsPollingIsStalledOnceTheTimeoutPasses() {
        at(0, 100, 5, 0);
        assertThat(at(9, 100, 5, 0).stalled()).isFalse();

        StallDetector.Verdict verdict = at(10, 100, 5, 0);

        assertThat(verdict.stalled()).isTrue();
        assertThat(verdict.reason()).isEqualTo("stream thread " + THREAD + " has not polled for 10 s");
        assertThat(at(11, 101, 5, 0).stalled()).as("it polled again").isFalse();
    }

    @Test
    void recordsWaitingWithNoneProcessedIsAStallEvenWhileThreadPolls() {
        at(0, 0, 5, 0);
        // Nothing waited at 0 s; from 1 s on, 40 records wait and none is processed.
        for (int second = 1; second < 10; second++) {
            assertThat(at(second, second * 10, 5, 40).stalled()).isFalse();
        }
        StallDetector.Verdict verdict = at(10, 100, 5, 40);

        assertThat(verdict.stalled()).isTrue();
        assertThat(verdict.reason()).contains("has 40 records waiting and processed none for 10 s");
    }

    @Test
    void aBacklogThatIsBeingWorkedOffIsNotAStall() {
        for (int second = 0; second <= 60; second++) {
            assertThat(at(second, second * 10, second * 1_000, 50_000 - second * 500).stalled()).isFalse();
        }
    }

    @Test
    void aDeadlockedThreadIsStalledAtOnce() {
        at(0, 100, 5, 0);

        StallDetector.Verdict verdict = detector.observe(1_000, true, Restores.NONE,
                List.of(new ThreadProgress(THREAD, 101, 5, 0)), Set.of(THREAD, "dw-12"));

        assertThat(verdict.stalled()).isTrue();
        assertThat(verdict.reason()).isEqualTo("stream thread " + THREAD + " is deadlocked");
    }

    @Test
    void threadsAreNotExpectedToPollWhileTheClientIsNotRunning() {
        detector.observe(0, false, Restores.NONE, List.of(new ThreadProgress(THREAD, 100, 5, 3)), Set.of());

        assertThat(detector.observe(60_000, false, Restores.NONE, List.of(new ThreadProgress(THREAD, 100, 5, 3)), Set.of())
                .stalled()).isFalse();
    }

    @Test
    void aReplacementThreadStartsWithAFreshClock() {
        at(0, 100, 5, 0);
        detector.observe(9_000, true, Restores.NONE, List.of(new ThreadProgress("app-StreamThread-2", 0, 0, 0)), Set.of());

        assertThat(detector.observe(15_000, true, Restores.NONE, List.of(new ThreadProgress("app-StreamThread-2", 0, 0, 0)),
                Set.of()).stalled()).as("6 s after the new thread appeared").isFalse();
        assertThat(detector.observe(19_000, true, Restores.NONE, List.of(new ThreadProgress("app-StreamThread-2", 0, 0, 0)),
                Set.of()).stalled()).isTrue();
    }

    @Test
    void recordsHeldBackByARestoreAreNotAStallButAThreadThatStopsPollingStillIs() {
        for (int second = 0; second <= 60; second++) {
            assertThat(detector.observe(second * 1_000L, true, new Restores(true, second, "app-accounts-changelog-0"),
                    List.of(new ThreadProgress(THREAD, second * 10, 5, 9_000)), Set.of()).stalled())
                    .as("second %d of a restore", second).isFalse();
        }
        // The restore ends and the waiting records must now move within the timeout.
        assertThat(at(69, 690, 5, 9_000).stalled()).isFalse();
        assertThat(at(70, 700, 5, 9_000).stalled()).isTrue();

        StallDetector restoringButStuck = new StallDetector(Duration.ofSeconds(10));
        restoringButStuck.observe(0, true, new Restores(true, 0, "app-accounts-changelog-0"), List.of(new ThreadProgress(THREAD, 100, 5, 9_000)), Set.of());
        assertThat(restoringButStuck.observe(10_000, true, new Restores(true, 1, "app-accounts-changelog-0"), List.of(new ThreadProgress(THREAD, 100, 5, 9_000)),
                Set.of()).reason()).contains("has not polled for 10 s");
    }

    @Test
    void aRestoreThatStopsMovingIsAStallWithTheChangelogNamed() {
        String where = "app-payments-changelog-3 (store payments) at offset 238 of 242";
        for (int second = 0; second < 10; second++) {
            assertThat(detector.observe(second * 1_000L, true, new Restores(true, 7, where),
                    List.of(new ThreadProgress(THREAD, second * 10, 5, 40)), Set.of()).stalled())
                    .as("second %d without a restored batch", second).isFalse();
        }

        StallDetector.Verdict verdict = detector.observe(10_000, true, new Restores(true, 7, where),
                List.of(new ThreadProgress(THREAD, 100, 5, 40)), Set.of());

        assertThat(verdict.stalled()).isTrue();
        assertThat(verdict.reason()).startsWith("restoring " + where + " has not moved for 10 s")
                .contains("open transaction that never ended");
        assertThat(detector.observe(11_000, true, new Restores(true, 8, where),
                List.of(new ThreadProgress(THREAD, 110, 5, 40)), Set.of()).stalled())
                .as("a batch was restored").isFalse();
        assertThat(detector.observe(30_000, true, Restores.NONE, List.of(new ThreadProgress(THREAD, 300, 45, 0)),
                Set.of()).stalled()).as("the restore ended, the records moved").isFalse();
    }
}
