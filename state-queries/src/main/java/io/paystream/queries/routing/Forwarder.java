package io.paystream.queries.routing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a query to the instance that owns its key, with the caller's credentials, and marks it as forwarded so
 * the receiver answers from its own stores instead of forwarding again. Every call is bounded by the timeout.
 */
public final class Forwarder {
    /** Marks a forwarded request; an instance that receives one never forwards it again. */
    public static final String FORWARDED_HEADER = "X-PayStream-Forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final HttpClient client;
    private final Duration timeout;

    public Forwarder(Duration timeout) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * Sends {@code GET pathAndQuery} to {@code owner}.
     *
     * @return the owner's answer, or null when it could not be reached in time
     */
    public <V> Lookup.Relayed<V> forward(HostInfo owner, String pathAndQuery, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://" + owner.host() + ":" + owner.port() + pathAndQuery))
                .timeout(timeout)
                .header(FORWARDED_HEADER, "1")
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Lookup.Relayed<>(response.statusCode(), response.body(),
                    response.headers().firstValue("Retry-After").orElse(null));
        } catch (IOException e) {
            LOG.warn("cannot reach {} to forward a query: {}", owner, e.toString());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
