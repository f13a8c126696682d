package io.paystream.web.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.micrometer.core.instrument.Counter;
import jakarta.annotation.Priority;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import java.time.Duration;
import java.util.Objects;

/**
 * A limit per client IP on requests that fail authentication (401), on both APIs. Each 401 takes a token from the
 * address's bucket; an address whose bucket is empty gets 429 with {@code Retry-After} before its key is even looked
 * at, so guessing keys costs time, and a flood of unauthenticated requests costs the server little. Requests with a
 * valid key never touch this limit; they have the per-key one. The addresses tracked are bounded and forgotten after
 * ten idle minutes. The address is the connection's peer, or the one Jetty takes from {@code X-Forwarded-For} when the
 * server is configured with {@code useForwardedHeaders} behind a trusted proxy.
 */
@Priority(Priorities.AUTHENTICATION - 100)
public final class FailedAuthLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final int ADDRESSES_MAX = 100_000;

    private final long perMinute;
    private final Counter rateLimited;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(ADDRESSES_MAX)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    @Context
    private HttpServletRequest servletRequest;

    FailedAuthLimitFilter(long perMinute, Counter rateLimited) {
        this.perMinute = perMinute;
        this.rateLimited = Objects.requireNonNull(rateLimited, "rateLimited");
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Bucket bucket = buckets.getIfPresent(address());
        if (bucket != null && bucket.getAvailableTokens() <= 0) {
            rateLimited.increment();
            throw RateLimitFilter.tooMany("too many requests without a valid API key from this address",
                    bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getStatus() == 401) {
            buckets.get(address(), ip -> Bucket.builder()
                    .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                    .build()).tryConsume(1);
        }
    }

    private String address() {
        return servletRequest.getRemoteAddr();
    }
}
