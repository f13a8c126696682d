package io.paystream.web.http;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bucket4j token bucket per API client, checked after authentication. Over the limit the answer is 429 with
 * {@code Retry-After} in whole seconds. The map of buckets is bounded by the number of configured keys, because only
 * authenticated clients get one.
 */
@Priority(Priorities.AUTHORIZATION + 1)
public final class RateLimitFilter implements ContainerRequestFilter {
    private final long requestsPerSecond;
    private final long burst;
    private final Counter rateLimited;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RateLimitFilter(long requestsPerSecond, long burst, Counter rateLimited) {
        this.requestsPerSecond = requestsPerSecond;
        this.burst = burst;
        this.rateLimited = Objects.requireNonNull(rateLimited, "rateLimited");
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Principal principal = request.getSecurityContext().getUserPrincipal();
        if (!(principal instanceof ApiClient client)) {
            return;
        }
        Bucket bucket = buckets.computeIfAbsent(client.clientId(), id -> Bucket.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(requestsPerSecond, Duration.ofSeconds(1)))
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            rateLimited.increment();
            throw tooMany("too many requests for this API key", probe.getNanosToWaitForRefill());
        }
    }

    /** 429 with {@code Retry-After}: whole seconds, at least one. */
    static ApiException tooMany(String why, long nanosToWait) {
        long retryAfterSeconds = Math.max(1, (nanosToWait + 999_999_999L) / 1_000_000_000L);
        return ApiException.with(Response.status(429).header("Retry-After", retryAfterSeconds),
                new ApiError(ApiError.RATE_LIMIT, "rate_limited", why + "; retry after " + retryAfterSeconds + " s",
                        null));
    }

    /** The counter of refusals, {@code <metricPrefix>.rate.limited{limit=...}}, registered at 0. */
    static Counter refusals(MeterRegistry registry, String metricPrefix, String limit, String description) {
        return Counter.builder(metricPrefix + ".rate.limited").description(description).tag("limit", limit)
                .register(Objects.requireNonNull(registry, "registry"));
    }
}
