package io.paystream.sinks.webhooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a failed delivery is tried again: after the n-th failed attempt, wait the n-th delay (plus up to 10% jitter, so
 * that the retries of one outage do not all land at once); after the last delay's attempt fails too, give up. The
 * default, {@value #DEFAULT}, makes ten attempts over 25 h 36 min.
 */
public final class RetrySchedule {
    public static final String DEFAULT = "10s,1m,5m,30m,1h,2h,4h,8h,10h";
    private static final Pattern DELAY = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private final List<Duration> delays;

    private RetrySchedule(List<Duration> delays) {
        this.delays = List.copyOf(delays);
    }

    /**
     * Parses a comma-separated list such as {@code 10s,1m,1h}.
     *
     * @throws IllegalArgumentException when an item is not a number followed by ms, s, m or h
     */
    public static RetrySchedule parse(String spec) {
        List<Duration> delays = new ArrayList<>();
        for (String item : spec.split(",", -1)) {
            Matcher matcher = DELAY.matcher(item.trim());
            if (!matcher.matches()) {
                throw new IllegalArgumentException("'" + item.trim() + "' is not a delay such as 500ms, 10s, 5m or 2h");
            }
            long amount = Long.parseLong(matcher.group(1));
            delays.add(switch (matcher.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            });
        }
        return new RetrySchedule(delays);
    }

    /** Attempts in all: the first, plus one after each delay. */
    public int attempts() {
        return delays.size() + 1;
    }

    /** From the first attempt to the last, without jitter. */
    public Duration span() {
        return delays.stream().reduce(Duration.ZERO, Duration::plus);
    }

    /** The wait after failed attempt {@code attempt} (1-based), jittered; empty when that was the last attempt. */
    public Optional<Duration> delayAfter(int attempt) {
        if (attempt < 1 || attempt > delays.size()) {
            return Optional.empty();
        }
        Duration delay = delays.get(attempt - 1);
        long jitter = delay.toMillis() / 10;
        return Optional.of(delay.plusMillis(jitter == 0 ? 0 : ThreadLocalRandom.current().nextLong(jitter + 1)));
    }
}
