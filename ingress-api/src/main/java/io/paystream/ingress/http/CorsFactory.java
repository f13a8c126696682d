package io.paystream.ingress.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.setup.Environment;
import jakarta.validation.constraints.NotNull;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.jetty.server.handler.CrossOriginHandler;

/**
 * The ingress's {@code cors} block: which web origins may call it from a browser. The operator console is served by the
 * processors (on the query API's port) and sends its writes here, so the local stack lists the console's origin. Empty
 * by default: a browser page elsewhere cannot call the API. Jetty's {@link CrossOriginHandler} answers preflights;
 * the API key still travels in the Authorization header, and no cookie is ever used, so credentials stay off.
 */
public class CorsFactory {
    /** Exact origins, such as {@code http://127.0.0.1:8090}: scheme, host and port, no path. */
    @NotNull
    private List<@jakarta.validation.constraints.Pattern(regexp = "^https?://[^/?#*]+$",
            message = "must be an origin such as http://127.0.0.1:8090") String> allowedOrigins = new ArrayList<>();

    @JsonProperty
    public List<String> getAllowedOrigins() {
        return allowedOrigins;
    }

    @JsonProperty
    public void setAllowedOrigins(List<String> allowedOrigins) {
        this.allowedOrigins = allowedOrigins;
    }

    /** Puts the cross-origin handler in front of the API, when any origin is allowed. */
    public void register(Environment environment) {
        if (allowedOrigins.isEmpty()) {
            return;
        }
        CrossOriginHandler cors = new CrossOriginHandler();
        cors.setAllowedOriginPatterns(allowedOrigins.stream().map(Pattern::quote).collect(Collectors.toSet()));
        cors.setAllowedMethods(Set.of("GET", "POST", "DELETE"));
        cors.setAllowedHeaders(Set.of("Authorization", "Content-Type", "Idempotency-Key"));
        cors.setExposedHeaders(Set.of("Retry-After", "Location"));
        cors.setAllowCredentials(false);
        environment.getApplicationContext().insertHandler(cors);
    }
}
