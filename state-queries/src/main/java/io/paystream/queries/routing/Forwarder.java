package io.paystream.queries.routing;

import io.paystream.web.auth.ApiKeyAuth;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards a query to the instance that owns its key, with the caller's credentials, and marks it as forwarded so
 * the receiver answers from its own stores instead of forwarding again. Every call is bounded by the timeout.
 *
 * <p>The mark is a token the instances share and callers do not know: a caller that sends the header itself would
 * otherwise stop the forwarding and get a 503 (or a stale read) for every key another instance owns. The token is
 * derived from the configured API-key hashes, which every instance of a deployment has and no caller sees, so it
 * needs no configuration of its own. A request whose header does not carry it is treated as any other request.
 */
public final class Forwarder {
    /** Marks a forwarded request; an instance that receives one with the right token never forwards it again. */
    public static final String FORWARDED_HEADER = "X-PayStream-Forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);

    private final HttpClient client;
    private final Duration timeout;
    private final String token;

    /**
     * @param timeout the bound on one forwarded call
     * @param token what a peer puts in {@link #FORWARDED_HEADER}; see {@link #token(Collection)}
     */
    public Forwarder(Duration timeout, String token) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.token = Objects.requireNonNull(token, "token");
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The token for a deployment whose API keys have these SHA-256 hashes: the same on every instance. */
    public static String token(Collection<String> keySha256s) {
        return ApiKeyAuth.sha256Hex("paystream query forwarding\n" + String.join("\n", new TreeSet<>(keySha256s)));
    }

    /** True when {@code header} (the value of {@link #FORWARDED_HEADER}, or null) came from a peer instance. */
    public boolean fromPeer(String header) {
        return header != null && MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8));
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
                .header(FORWARDED_HEADER, token)
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
