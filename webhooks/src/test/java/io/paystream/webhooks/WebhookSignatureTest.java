package io.paystream.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    private static final String BODY = "{\"id\":\"evt_1\"}";

    @Test
    void matchesAnIndependentlyComputedHmac() {
        // printf '%s' '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac whsec_test
        assertThat(WebhookSignature.sign("whsec_test", 1_700_000_000L, BODY))
                .isEqualTo("c89214b5b5da833daed6f0b8c5bb6bd58cea9022bd80ccc78230f3942d632925");
    }

    @Test
    void verifiesWithinTheToleranceAndOnlyTheExactBodyAndSecret() {
        String header = WebhookSignature.header(List.of("whsec_new", "whsec_old"), NOW.getEpochSecond(), BODY);
        assertThat(header).matches("t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}");
        Duration tolerance = WebhookSignature.DEFAULT_TOLERANCE;
        assertThat(WebhookSignature.verify(header, "whsec_new", BODY, NOW, tolerance)).isTrue();
        assertThat(WebhookSignature.verify(header, "whsec_old", BODY, NOW.plusSeconds(299), tolerance)).isTrue();
        assertThat(WebhookSignature.verify(header, "whsec_new", BODY, NOW.plusSeconds(301), tolerance)).isFalse();
        assertThat(WebhookSignature.verify(header, "whsec_new", BODY + " ", NOW, tolerance)).isFalse();
        assertThat(WebhookSignature.verify(header, "whsec_other", BODY, NOW, tolerance)).isFalse();
        assertThat(WebhookSignature.verify(header.replace("t=1700000000", "t=1700000001"), "whsec_new", BODY, NOW,
                tolerance)).isFalse();
        assertThat(WebhookSignature.verify("v1=abc", "whsec_new", BODY, NOW, tolerance)).isFalse();
        assertThat(WebhookSignature.verify(null, "whsec_new", BODY, NOW, tolerance)).isFalse();
    }
}
