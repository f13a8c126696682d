package io.paystream.queries.api;

import io.paystream.schemas.avro.BalanceMonitor;
import java.time.Instant;
import java.util.Locale;

/**
 * A balance monitor as {@code GET /v1/balance-monitors/{monitorId}} shows it: what it watches, whether its condition
 * holds now ({@code met}), and how many times it crossed.
 */
public record BalanceMonitorView(String monitorId, String accountId, String field, String operator, long amount,
        boolean met, long crossings, String createdAt) {

    public static BalanceMonitorView of(String accountId, BalanceMonitor monitor) {
        return new BalanceMonitorView(monitor.getMonitorId(), accountId,
                monitor.getField().name().toLowerCase(Locale.ROOT),
                monitor.getOperator().name().toLowerCase(Locale.ROOT), monitor.getAmount(), monitor.getMet(),
                monitor.getCrossings(), Instant.ofEpochMilli(monitor.getCreatedAtMs()).toString());
    }
}
