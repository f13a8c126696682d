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
import jakarta.ws.rs.core.HttpHeaders;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A limit per client address on requests that fail authentication (401), on both APIs. Each 401 takes a token from the
 * address's bucket; an address whose bucket is empty gets 429 with {@code Retry-After} for every request that does not
 * carry a valid key, so guessing keys costs time and a flood of unauthenticated requests costs the server little. A
 * request with a valid key is never refused here for others' failures (behind a NAT or a proxy, many clients share an
 * address): it has the per-key limit. Keys are 256-bit secrets, so telling a right guess from a wrong one gives a
 * guesser nothing it could use. The address is the connection's peer, or, from a configured trusted proxy, the one
 * {@code X-Forwarded-For} names ({@link ClientAddress}). The addresses tracked are bounded and forgotten after ten idle
 * minutes.
 */
@Priority(Priorities.AUTHENTICATION - 100)
public final class FailedAuthLimitFilter implements ContainerRequestFilter, ContainerResponseFilter {
    private static final int ADDRESSES_MAX = 100_000;

    private final long perMinute;
    private final Counter rateLimited;
    private final Predicate<String> validAuthorization;
    private final ClientAddress clientAddress;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder().maximumSize(ADDRESSES_MAX)
            .expireAfterAccess(Duration.ofMinutes(10)).build();

    @Context
    private HttpServletRequest servletRequest;

    /**
     * @param validAuthorization true for an {@code Authorization} header that carries a configured key
     * @param clientAddress who a request comes from
     */
    FailedAuthLimitFilter(long perMinute, Counter rateLimited, Predicate<String> validAuthorization,
            ClientAddress clientAddress) {
        this.perMinute = perMinute;
        this.rateLimited = Objects.requireNonNull(rateLimited, "rateLimited");
        this.validAuthorization = Objects.requireNonNull(validAuthorization, "validAuthorization");
        this.clientAddress = Objects.requireNonNull(clientAddress, "clientAddress");
    }

    @Override
    public void filter(ContainerRequestContext request) {
        Bucket bucket = buckets.getIfPresent(address());
        if (bucket != null && bucket.getAvailableTokens() <= 0
                && !validAuthorization.test(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
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
        return clientAddress.of(servletRequest.getRemoteAddr(), servletRequest.getHeader("X-Forwarded-For"));
    }
}
