package io.paystream.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What the launcher does when a child exits on its own: restart the processor when its stall watchdog gave up (exit
 * status 70), a bounded number of times, as Kubernetes or systemd would; stop the whole stack for anything else, so
 * that a real failure is never hidden behind restarts.
 */
final class Supervision {
    /** The processor's {@code StallWatchdog.EXIT_CODE} (EX_SOFTWARE); the launcher does not load the processor. */
    static final int STALL_EXIT_CODE = 70;
    /** A stall that keeps coming back is a bug: after this many restarts in the window, stop and say so. */
    static final int RESTARTS_MAX = 3;
    static final Duration RESTART_WINDOW = Duration.ofMinutes(30);

    private final Deque<Long> restartsMs = new ArrayDeque<>();

    /**
     * Decides for a child that exited, and counts the restart it allows.
     *
     * @param child the child's name
     * @param exitCode its exit status
     * @param nowMs a monotonic time in milliseconds
     * @return true to restart it, false to stop the stack
     */
    boolean restart(String child, int exitCode, long nowMs) {
        if (!"processor".equals(child) || exitCode != STALL_EXIT_CODE) {
            return false;
        }
        while (!restartsMs.isEmpty() && restartsMs.peekFirst() <= nowMs - RESTART_WINDOW.toMillis()) {
            restartsMs.removeFirst();
        }
        if (restartsMs.size() >= RESTARTS_MAX) {
            return false;
        }
        restartsMs.addLast(nowMs);
        return true;
    }
}
