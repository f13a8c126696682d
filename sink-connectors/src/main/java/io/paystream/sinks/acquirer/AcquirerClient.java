package io.paystream.sinks.acquirer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AcquirerResult;
import io.paystream.schemas.avro.ChargeStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * One charge at the acquirer ({@code POST /v1/charges}), with the payment id as the idempotency key: asking twice
 * is the same charge, so a request that timed out can be asked again without charging the card twice. And the refund
 * of a charge, idempotent the same way.
 */
final class AcquirerClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient http;

    /** @param apiKey sent as {@code Authorization: Bearer}; empty sends none (the local simulator) */
    AcquirerClient(String url, String apiKey, Duration timeout) {
        this.url = url;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * The acquirer's answer, or empty when it gave none this time (a timeout, a connection failure, a 5xx): then the
     * same request may be made again.
     */
    Optional<AcquirerResult> charge(AcquirerRequest request) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("token", request.getToken()).put("amount", request.getAmount())
                .put("currency", request.getCurrency()).put("reference", request.getPaymentId());
        HttpResponse<String> response;
        try {
            response = http.send(authorized(HttpRequest.newBuilder(URI.create(url + "/v1/charges"))).timeout(timeout)
                    .header("Content-Type", "application/json").header("Idempotency-Key", request.getPaymentId())
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Optional.empty();
        }
        int status = response.statusCode();
        if (status >= 500 || status == 429 || status == 409) {
            // 409: another request with this key is in flight at the acquirer; its answer comes on a retry.
            return Optional.empty();
        }
        AcquirerResult.Builder result = AcquirerResult.newBuilder().setPaymentId(request.getPaymentId())
                .setTo(request.getTo()).setAmount(request.getAmount()).setCurrency(request.getCurrency())
                .setRequestedAtMs(request.getRequestedAtMs()).setReference(request.getReference())
                .setDecidedAtMs(System.currentTimeMillis());
        if (status >= 400) {
            // The acquirer refuses the request itself (a token it does not know): nothing was charged.
            return Optional.of(result.setStatus(ChargeStatus.DECLINED).setDeclineCode("refused_" + status).build());
        }
        try {
            JsonNode charge = JSON.readTree(response.body());
            boolean approved = "APPROVED".equals(charge.path("status").asText());
            return Optional.of(result.setStatus(approved ? ChargeStatus.APPROVED : ChargeStatus.DECLINED)
                    .setChargeId(charge.path("chargeId").asText(null))
                    .setDeclineCode(approved ? null : charge.path("declineCode").asText("unknown")).build());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Gives the whole of an approved charge back ({@code POST /v1/charges/{chargeId}/refunds}), with
     * {@code refund:<paymentId>} as the idempotency key: asking again is the same refund. Empty when the acquirer gave
     * no answer this time (a timeout, a connection failure, a 5xx, a 409 in flight), so that it may be asked again.
     *
     * @throws RefundRefusedException when the acquirer refuses the refund itself (an unknown or unrefundable charge):
     *     asking again would not change that
     */
    Optional<AcquirerResult> refund(AcquirerRequest request) throws InterruptedException {
        HttpResponse<String> response;
        try {
            response = http.send(authorized(HttpRequest.newBuilder(URI.create(url + "/v1/charges/"
                            + request.getChargeId() + "/refunds"))).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", "refund:" + request.getPaymentId())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Optional.empty();
        }
        int status = response.statusCode();
        if (status >= 500 || status == 429) {
            return Optional.empty();
        }
        if (status >= 400) {
            throw new RefundRefusedException("the acquirer refused to refund charge " + request.getChargeId()
                    + " of payment " + request.getPaymentId() + ": " + status + " " + response.body());
        }
        try {
            JsonNode refund = JSON.readTree(response.body());
            return Optional.of(AcquirerResult.newBuilder().setPaymentId(request.getPaymentId())
                    .setTo(request.getTo()).setAmount(request.getAmount()).setCurrency(request.getCurrency())
                    .setRequestedAtMs(request.getRequestedAtMs()).setReference(request.getReference())
                    .setDecidedAtMs(System.currentTimeMillis()).setStatus(ChargeStatus.REFUNDED)
                    .setChargeId(request.getChargeId()).setRefundId(refund.path("refundId").asText(null)).build());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        return apiKey.isEmpty() ? request : request.header("Authorization", "Bearer " + apiKey);
    }

    /** The acquirer will not refund this charge, whatever the retries. */
    static final class RefundRefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefundRefusedException(String message) {
            super(message);
        }
    }
}
