package io.paystream.console.simulator;

import io.paystream.web.errors.ApiException;

/**
 * What {@code POST /v1/simulator} asks for, bounded: at most {@value #MAX_RATE} requests a second, for at most
 * {@value #MAX_DURATION_SECONDS} seconds, over 4 to {@value #MAX_ACCOUNTS} accounts (half in
 * USD, half in EUR).
 */
public record SimulatorSettings(Integer ratePerSecond, Integer durationSeconds, Integer accounts) {
    public static final int MAX_RATE = 200;
    public static final int MAX_DURATION_SECONDS = 600;
    public static final int MAX_ACCOUNTS = 100;

    /** These settings with defaults filled in, checked. @throws ApiException 422 naming the field out of range */
    public SimulatorSettings checked() {
        int rate = ratePerSecond == null ? 20 : ratePerSecond;
        int duration = durationSeconds == null ? 60 : durationSeconds;
        int count = accounts == null ? 10 : accounts;
        if (rate < 1 || rate > MAX_RATE) {
            throw ApiException.invalidField("ratePerSecond", "ratePerSecond must be from 1 to " + MAX_RATE);
        }
        if (duration < 1 || duration > MAX_DURATION_SECONDS) {
            throw ApiException.invalidField("durationSeconds",
                    "durationSeconds must be from 1 to " + MAX_DURATION_SECONDS);
        }
        if (count < 4 || count > MAX_ACCOUNTS) {
            throw ApiException.invalidField("accounts", "accounts must be from 4 to " + MAX_ACCOUNTS);
        }
        return new SimulatorSettings(rate, duration, count);
    }
}
