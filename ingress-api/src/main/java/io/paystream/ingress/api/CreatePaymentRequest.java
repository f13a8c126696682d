package io.paystream.ingress.api;

import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentType;
import io.paystream.schemas.avro.SourceType;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.Map;

/**
 * The body of {@code POST /v1/payments}. Bean Validation checks presence; the shared {@code PaymentRequestRules}
 * check everything else (ranges, currency, account ids, parties per type), exactly as the processor will.
 *
 * @param type TRANSFER, PAYMENT, TOPUP or WITHDRAWAL
 * @param from payer account id, required except for TOPUP
 * @param to payee account id, required except for WITHDRAWAL
 * @param amount minor units; a JSON integer, never a decimal, exponent or string
 * @param currency ISO-4217 code
 * @param reference free text, at most 140 characters
 * @param metadata at most 20 string entries
 * @param capture AUTOMATIC (the default) or MANUAL, which only authorizes: a hold to capture or void later
 * @param holdExpiresInSeconds MANUAL only: 60 to 2,592,000 (30 days); 7 days when absent
 * @param source TOPUP only: {@code {"type":"CARD","token":"tok_..."}} charges the card through the acquirer, and then
 *     the account's owner may post it (a TOPUP without a source needs funds:write)
 */
public record CreatePaymentRequest(
        @NotNull PaymentType type,
        String from,
        String to,
        @NotNull Long amount,
        @NotNull String currency,
        String reference,
        Map<String, String> metadata,
        CaptureMode capture,
        Long holdExpiresInSeconds,
        @Valid Source source) {

    /**
     * Where a top-up's money comes from.
     *
     * @param type CARD
     * @param token the card token the acquirer charges
     */
    public record Source(@NotNull SourceType type, @NotNull String token) {
    }
}
