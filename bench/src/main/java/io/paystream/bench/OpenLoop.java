package io.paystream.bench;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * A sender on a fixed schedule: request {@code i} is due at {@code start + i / rate}, whether or not the system kept
 * up, and is handed its due time so that its latency counts from then (no coordinated omission).
 */
final class OpenLoop {
    private OpenLoop() {
    }

    /** Calls {@code send} with each due time at {@code perSecond} for {@code duration}; returns how many it sent. */
    static long run(double perSecond, Duration duration, LongConsumer send) {
        long period = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long sent = 0;
        for (long due = start; due < end; due = start + sent * period) {
            sleepUntil(due);
            send.accept(due);
            sent++;
        }
        return sent;
    }

    static void sleepUntil(long dueNanos) {
        long wait;
        while ((wait = dueNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }
}
