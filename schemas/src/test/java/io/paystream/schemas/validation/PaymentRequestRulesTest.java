package io.paystream.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PaymentRequestRulesTest {

    private static PaymentRequest.Builder aTransfer() {
        return PaymentRequest.newBuilder()
                .setPaymentId("4f6c2c55-9c1e-4b8e-8a53-1b1f1f7d1a10")
                .setType(PaymentType.TRANSFER)
                .setFrom("alice")
                .setTo("bob")
                .setAmount(1050)
                .setCurrency("USD");
    }

    private static Optional<String> fieldOf(PaymentRequest.Builder request) {
        return PaymentRequestRules.validate(request.build()).map(Violation::field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"refund\u202E001 dnuf", "line\nbreak", "tab\there", "bell\u0007", "\u2066isolate\u2069",
        "rlm\u200F", "alm\u061C", "half \uD83D surrogate", "nul\u0000"})
    void rejectsControlAndBidiCharactersInFreeText(String text) {
        assertThat(fieldOf(aTransfer().setReference(text))).contains("reference");
        assertThat(fieldOf(aTransfer().setMetadata(Map.of("note", text)))).contains("metadata.note");
        assertThat(fieldOf(aTransfer().setMetadata(Map.of(text, "v")))).contains("metadata");
        assertThat(fieldOf(aTransfer().setIdempotencyKey(text))).contains("idempotencyKey");
    }

    @Test
    void acceptsOrdinaryTextInAnyScript() {
        assertThat(fieldOf(aTransfer().setReference("Facture n° 17 – café ☕ 😀 عربى 日本"))).isEmpty();
        assertThat(fieldOf(aTransfer().setMetadata(Map.of("name", "Zoë Ø'Brien")))).isEmpty();
    }

    @Test
    void aManualCaptureIsForTransfersAndPaymentsWithAHoldOf60SecondsTo30Days() {
        assertThat(fieldOf(aTransfer().setCapture(CaptureMode.MANUAL))).isEmpty();
        assertThat(fieldOf(aTransfer().setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(60L))).isEmpty();
        assertThat(fieldOf(aTransfer().setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(2_592_000L))).isEmpty();
        assertThat(fieldOf(aTransfer().setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(59L)))
                .contains("holdExpiresInSeconds");
        assertThat(fieldOf(aTransfer().setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(2_592_001L)))
                .contains("holdExpiresInSeconds");
        // A local stack may lower the shortest hold; the longest stays.
        assertThat(PaymentRequestRules.validate(aTransfer().setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(5L)
                .build(), 5)).isEmpty();
        assertThat(PaymentRequestRules.validate(aTransfer().setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(4L)
                .build(), 5)).map(Violation::toString).hasValueSatisfying(violation -> assertThat(violation)
                        .contains("holdExpiresInSeconds").contains("between 5 and"));
        assertThat(fieldOf(aTransfer().setHoldExpiresInSeconds(600L))).as("a hold without MANUAL")
                .contains("holdExpiresInSeconds");
        assertThat(fieldOf(aTransfer().setType(PaymentType.WITHDRAWAL).setTo(null).setCapture(CaptureMode.MANUAL)))
                .contains("capture");
        assertThat(fieldOf(aTransfer().setCapture(CaptureMode.AUTOMATIC))).isEmpty();
    }

    @Test
    void aCardSourceIsForTopUpsAndNamesAToken() {
        PaymentRequest.Builder topUp = aTransfer().setType(PaymentType.TOPUP).setFrom(null);
        io.paystream.schemas.avro.PaymentSource card = io.paystream.schemas.avro.PaymentSource.newBuilder()
                .setType(io.paystream.schemas.avro.SourceType.CARD).setToken("tok_visa_4242").build();
        assertThat(fieldOf(topUp.setSource(card))).isEmpty();
        assertThat(fieldOf(aTransfer().setSource(card))).contains("source");
        for (String token : new String[] {"tok_", "4242424242424242", "tok_a-b", "tok_" + "x".repeat(65)}) {
            assertThat(fieldOf(topUp.setSource(io.paystream.schemas.avro.PaymentSource.newBuilder(card)
                    .setToken(token).build()))).as(token).contains("source.token");
        }
    }

    @Test
    void acceptsAWellFormedTransfer() {
        assertThat(PaymentRequestRules.validate(aTransfer().build())).isEmpty();
    }

    @Test
    void acceptsTheAmountBoundaries() {
        assertThat(fieldOf(aTransfer().setAmount(1))).isEmpty();
        assertThat(fieldOf(aTransfer().setAmount(1_000_000_000_000_000L))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1, 1_000_000_000_000_001L, Long.MIN_VALUE, Long.MAX_VALUE})
    void rejectsAmountsOutsideTheRange(long amount) {
        assertThat(fieldOf(aTransfer().setAmount(amount))).contains("amount");
    }

    @ParameterizedTest
    @ValueSource(strings = {"usd", "US", "XYZ", "", "USDD", "XAU", "XTS", "XXX", "DEM", "HRK", "CHE", "XDR"})
    void rejectsUnknownCurrencies(String currency) {
        assertThat(fieldOf(aTransfer().setCurrency(currency))).contains("currency");
    }

    @ParameterizedTest
    @ValueSource(strings = {"USD", "EUR", "GBP", "JPY", "CHF", "XOF", "XAF", "SLE", "VES", "ZWG"})
    void acceptsCurrenciesInCirculation(String currency) {
        assertThat(fieldOf(aTransfer().setCurrency(currency))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-uuid", "4F6C2C55-9C1E-4B8E-8A53-1B1F1F7D1A10", ""})
    void rejectsPaymentIdsThatAreNotCanonicalUuids(String id) {
        assertThat(fieldOf(aTransfer().setPaymentId(id))).contains("paymentId");
    }

    @Test
    void requiresBothPartiesForTransfersAndPayments() {
        assertThat(fieldOf(aTransfer().setFrom(null))).contains("from");
        assertThat(fieldOf(aTransfer().setTo(null))).contains("to");
        assertThat(fieldOf(aTransfer().setType(PaymentType.PAYMENT).setTo(null))).contains("to");
    }

    @Test
    void rejectsSelfTransfers() {
        Optional<Violation> violation = PaymentRequestRules.validate(aTransfer().setTo("alice").build());

        assertThat(violation).map(Violation::field).contains("to");
        assertThat(violation).map(Violation::message).contains("must differ from 'from'");
    }

    @Test
    void topUpsHaveOnlyAPayeeAndWithdrawalsOnlyAPayer() {
        assertThat(fieldOf(aTransfer().setType(PaymentType.TOPUP).setFrom(null))).isEmpty();
        assertThat(fieldOf(aTransfer().setType(PaymentType.TOPUP))).contains("from");
        assertThat(fieldOf(aTransfer().setType(PaymentType.WITHDRAWAL).setTo(null))).isEmpty();
        assertThat(fieldOf(aTransfer().setType(PaymentType.WITHDRAWAL))).contains("to");
        assertThat(fieldOf(aTransfer().setType(PaymentType.WITHDRAWAL).setTo(null).setFrom(null))).contains("from");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-alice", "a b", "ä", "a/b"})
    void rejectsMalformedAccountIds(String accountId) {
        assertThat(fieldOf(aTransfer().setFrom(accountId))).contains("from");
    }

    @Test
    void acceptsTheLongestAccountIdAndRejectsOneMore() {
        assertThat(fieldOf(aTransfer().setFrom("a".repeat(64)))).isEmpty();
        assertThat(fieldOf(aTransfer().setFrom("a".repeat(65)))).contains("from");
    }

    @Test
    void boundsTheReference() {
        assertThat(fieldOf(aTransfer().setReference("r".repeat(140)))).isEmpty();
        assertThat(fieldOf(aTransfer().setReference("r".repeat(141)))).contains("reference");
    }

    @Test
    void boundsTheMetadata() {
        Map<String, String> twenty = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            twenty.put("k" + i, "v");
        }
        assertThat(fieldOf(aTransfer().setMetadata(twenty))).isEmpty();
        twenty.put("k20", "v");
        assertThat(fieldOf(aTransfer().setMetadata(twenty))).contains("metadata");
        assertThat(fieldOf(aTransfer().setMetadata(Map.of("order", "v".repeat(501))))).contains("metadata.order");
    }

    @Test
    void boundsTheIdempotencyKey() {
        assertThat(fieldOf(aTransfer().setIdempotencyKey("k".repeat(255)))).isEmpty();
        assertThat(fieldOf(aTransfer().setIdempotencyKey("k".repeat(256)))).contains("idempotencyKey");
        assertThat(fieldOf(aTransfer().setIdempotencyKey(""))).contains("idempotencyKey");
    }
}
