package io.paystream.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * What the launcher does when a child exits on its own, as Kubernetes or systemd would, a bounded number of times per
 * child: restart a processor when its stall watchdog gave up (exit status 70); restart a broker of a cluster
 * ({@code kafka-N}) whatever its exit, because the other two keep the cluster writing meanwhile and it catches up when
 * it is back. Anything else (the only broker, the ingress, a processor that failed otherwise) stops the whole stack, so
 * that a real failure is never hidden behind restarts.
 */
final class Supervision {
    /** The processor's {@code StallWatchdog.EXIT_CODE} (EX_SOFTWARE); the launcher does not load the processor. */
    static final int STALL_EXIT_CODE = 70;
    /** A child that keeps dying has a problem: after this many restarts in the window, stop and say so. */
    static final int RESTARTS_MAX = 3;
    static final Duration RESTART_WINDOW = Duration.ofMinutes(30);

    private final Map<String, Deque<Long>> restartsMs = new HashMap<>();

    /**
     * Decides for a child that exited, and counts the restart it allows.
     *
     * @param child the child's name
     * @param exitCode its exit status
     * @param nowMs a monotonic time in milliseconds
     * @return true to restart it, false to stop the stack
     */
    boolean restart(String child, int exitCode, long nowMs) {
        boolean stalledProcessor = child.startsWith("processor") && exitCode == STALL_EXIT_CODE;
        boolean clusterBroker = child.startsWith("kafka-");
        if (!stalledProcessor && !clusterBroker) {
            return false;
        }
        Deque<Long> restarts = restartsMs.computeIfAbsent(child, name -> new ArrayDeque<>());
        while (!restarts.isEmpty() && restarts.peekFirst() <= nowMs - RESTART_WINDOW.toMillis()) {
            restarts.removeFirst();
        }
        if (restarts.size() >= RESTARTS_MAX) {
            return false;
        }
        restarts.addLast(nowMs);
        return true;
    }
}
