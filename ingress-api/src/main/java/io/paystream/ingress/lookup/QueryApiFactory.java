package io.paystream.ingress.lookup;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * The {@code queryApi:} block of the ingress YAML: where the processors' query API is, and the key the ingress reads
 * payments with. Capture and void must know a payment's payer before they are accepted (403 for anyone else), and
 * only the processors know it. The key must read every payment (admin), because the ingress checks the caller's
 * ownership itself; it is a secret like any key, taken from the environment in production.
 */
public class QueryApiFactory {
    @NotBlank
    @Pattern(regexp = "https?://[^/]+", message = "must be http(s)://host:port, without a path")
    private String url = "http://127.0.0.1:8090";

    /** An unset variable is left as {@code ${NAME}} by the substitution: that is no key. */
    @NotBlank
    @Pattern(regexp = "(?!\\$\\{).*", message = "must be set (PAYSTREAM_QUERY_API_KEY)")
    private String key;

    @NotNull
    private io.dropwizard.util.Duration timeout = io.dropwizard.util.Duration.seconds(2);

    /** The lookup this block describes. */
    public PaymentLookup build() {
        return new PaymentLookup(url, key, timeout.toJavaDuration());
    }

    @JsonProperty
    public String getUrl() {
        return url;
    }

    @JsonProperty
    public void setUrl(String url) {
        this.url = url;
    }

    @JsonProperty
    public String getKey() {
        return key;
    }

    @JsonProperty
    public void setKey(String key) {
        this.key = key;
    }

    @JsonProperty
    public io.dropwizard.util.Duration getTimeout() {
        return timeout;
    }

    @JsonProperty
    public void setTimeout(io.dropwizard.util.Duration timeout) {
        this.timeout = timeout;
    }
}
