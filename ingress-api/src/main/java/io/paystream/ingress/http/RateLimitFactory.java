package io.paystream.ingress.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/** The {@code rateLimit:} block: a token bucket per API key, refilled every second. */
public class RateLimitFactory {
    @Min(1)
    @Max(1_000_000)
    private long requestsPerSecond = 200;

    @Min(1)
    @Max(1_000_000)
    private long burst = 400;

    public RateLimitFilter build(MeterRegistry registry) {
        return new RateLimitFilter(requestsPerSecond, burst, registry);
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
}
