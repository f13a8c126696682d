package io.paystream.web.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.function.Predicate;

/**
 * The {@code rateLimit:} block of both apps: a token bucket per API key, refilled every second, and one per client
 * address for requests that fail authentication, refilled every minute.
 */
public class RateLimitFactory {
    @Min(1)
    @Max(1_000_000)
    private long requestsPerSecond = 200;

    @Min(1)
    @Max(1_000_000)
    private long burst = 400;

    @Min(1)
    @Max(1_000_000)
    private long unauthenticatedPerMinute = 30;

    /**
     * Proxies whose {@code X-Forwarded-For} names the client for the per-address limit: IP addresses or CIDR ranges.
     * Empty by default, so the header is never believed; leave Dropwizard's {@code useForwardedHeaders} off.
     */
    @NotNull
    @Size(max = 64)
    private List<String> trustedProxies = List.of();

    /**
     * Registers both limits; their refusals count in {@code <metricPrefix>.rate.limited{limit=key|address}}.
     *
     * @param validAuthorization true for an {@code Authorization} header that carries a configured key: such a
     *     request is never refused by the per-address limit
     */
    public void register(JerseyEnvironment jersey, MeterRegistry registry, String metricPrefix,
            Predicate<String> validAuthorization) {
        jersey.register(new RateLimitFilter(requestsPerSecond, burst, RateLimitFilter.refusals(registry, metricPrefix,
                "key", "Requests refused with 429 because their API key exceeded its rate limit")));
        jersey.register(new FailedAuthLimitFilter(unauthenticatedPerMinute, RateLimitFilter.refusals(registry,
                metricPrefix, "address", "Requests refused with 429 because their address failed authentication "
                        + "too often"), validAuthorization, new ClientAddress(trustedProxies)));
    }

    @JsonProperty
    public List<String> getTrustedProxies() {
        return trustedProxies;
    }

    @JsonProperty
    public void setTrustedProxies(List<String> trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    @JsonProperty
    public long getRequestsPerSecond() {
        return requestsPerSecond;
    }

    @JsonProperty
    public void setRequestsPerSecond(long requestsPerSecond) {
        this.requestsPerSecond = requestsPerSecond;
    }

    @JsonProperty
    public long getBurst() {
        return burst;
    }

    @JsonProperty
    public void setBurst(long burst) {
        this.burst = burst;
    }

    @JsonProperty
    public long getUnauthenticatedPerMinute() {
        return unauthenticatedPerMinute;
    }

    @JsonProperty
    public void setUnauthenticatedPerMinute(long unauthenticatedPerMinute) {
        this.unauthenticatedPerMinute = unauthenticatedPerMinute;
    }
}
