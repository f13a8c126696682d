package io.paystream.sinks.email;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Account holders' addresses, read from the query API ({@code GET /v1/accounts/{id}}, {@code email}), where the
 * ledger keeps them: the account is opened before any of its payments, so its state is there before any notification.
 * An account's answer is cached for a minute: one lookup per account, not per email.
 */
final class AccountDirectory {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration TTL = Duration.ofMinutes(1);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Optional<String> email, long expiresAtNanos) {
    }

    AccountDirectory(String url, String key) {
        this.url = url;
        this.key = key;
    }

    /**
     * The account's address; empty when it has none or does not exist.
     *
     * @throws IOException when the query API cannot answer now (the batch is then tried again)
     */
    Optional<String> email(String accountId) throws IOException, InterruptedException {
        Cached cached = cache.get(accountId);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return cached.email();
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/accounts/"
                + URLEncoder.encode(accountId, StandardCharsets.UTF_8))).timeout(TIMEOUT)
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        Optional<String> email;
        if (response.statusCode() == 404) {
            // Not cached: an account that does not exist yet may be opened, with an address, a moment later.
            return Optional.empty();
        } else if (response.statusCode() == 200) {
            JsonNode email0 = JSON.readTree(response.body()).get("email");
            email = email0 == null || email0.isNull() ? Optional.empty() : Optional.of(email0.asText());
        } else {
            throw new IOException("the query API answered " + response.statusCode() + " for account " + accountId);
        }
        cache.put(accountId, new Cached(email, System.nanoTime() + TTL.toNanos()));
        return email;
    }
}
