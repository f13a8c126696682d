package io.paystream.ingress.lookup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paystream.web.errors.ApiException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a payment from the processors' query API ({@code GET /v1/payments/{id}}), which routes to the instance that
 * owns it. Bounded by a timeout: an ingress thread never waits longer than that for a processor.
 */
public final class PaymentLookup {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentLookup.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long a client should wait before retrying when the query API cannot answer. */
    private static final long RETRY_AFTER_SECONDS = 1;

    private final String url;
    private final String key;
    private final Duration timeout;
    private final HttpClient http;

    PaymentLookup(String url, String key, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        this.key = Objects.requireNonNull(key, "key");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * What a capture, a void or a refund needs to know about a payment: its parties, its status and its amounts.
     *
     * @param from the payer, or null
     * @param to the payee, or null
     * @param status the status the query API shows (PROCESSING, AUTHORIZED, COMPLETED...)
     * @param authorizedAmount the amount held, or null when the payment holds nothing
     * @param amount the amount the payment asked for
     * @param capturedAmount the amount captured, or null
     */
    public record PaymentFacts(String from, String to, String status, Long authorizedAmount, long amount,
            Long capturedAmount) {
        /** The most a payment can complete with, and so be refunded: its capture, else its hold, else its amount. */
        public long completableAmount() {
            return capturedAmount != null ? capturedAmount : authorizedAmount != null ? authorizedAmount : amount;
        }
    }

    /**
     * The payment, or empty when no processor knows it.
     *
     * @throws ApiException 503 when the query API cannot answer now
     */
    public Optional<PaymentFacts> find(String paymentId) {
        HttpResponse<String> response = get("/v1/payments/" + paymentId, unavailable());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            LOG.warn("the query API answered {} for payment {}: {}", response.statusCode(), paymentId,
                    response.body());
            throw unavailable();
        }
        try {
            JsonNode payment = JSON.readTree(response.body());
            return Optional.of(new PaymentFacts(text(payment, "from"), text(payment, "to"),
                    text(payment, "status"), number(payment, "authorizedAmount"), payment.path("amount").asLong(),
                    number(payment, "capturedAmount")));
        } catch (IOException e) {
            LOG.warn("the query API's answer for payment {} is not JSON", paymentId, e);
            throw unavailable();
        }
    }

    /**
     * {@code GET path} on the query API with the ingress's key.
     *
     * @throws ApiException {@code unavailable} when the query API cannot be reached in time
     */
    public HttpResponse<String> get(String path, ApiException unavailable) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + path)).timeout(timeout)
                    .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            LOG.warn("cannot GET {} from the query API at {}: {}", path, url, e.toString());
            throw unavailable;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable;
        }
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asLong();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static ApiException unavailable() {
        return ApiException.unavailable("payment_lookup_unavailable", "the payment cannot be looked up now; "
                + "retry with the same Idempotency-Key", RETRY_AFTER_SECONDS);
    }
}
