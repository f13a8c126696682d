package io.paystream.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlPolicyTest {
    private static final UrlPolicy PRODUCTION = new UrlPolicy(false);
    private static final UrlPolicy LOCAL = new UrlPolicy(true);

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.215.14/hooks", "http://8.8.8.8:8080/x?y=1", "https://[2001:4860:4860::8888]/"})
    void publicAddressesAreAccepted(String url) {
        assertThat(PRODUCTION.refusal(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/", "http://localhost/", "http://[::1]/", "http://10.1.2.3/",
            "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest",
            "http://[fe80::1]/", "http://[fd00::1]/", "http://100.64.0.1/", "http://0.0.0.0/", "http://224.0.0.1/",
            "http://[::ffff:10.0.0.1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f000001/",
            "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::a00:1]/", "http://[2002:a9fe:a9fe::1]/",
            "http://[::a9fe:a9fe]/", "http://[::169.254.169.254]/", "http://[2001:0:4136:e378::1]/",
            "http://192.0.0.170/", "http://168.63.129.16/", "http://198.18.0.1/", "http://192.0.2.1/",
            "http://[2001:db8::1]/", "http://255.255.255.255/", "http://[ff02::1]/", "http://[fec0::1]/"})
    void internalAddressesAreRefusedWhateverTheirSpelling(String url) {
        assertThat(PRODUCTION.refusal(url)).hasValueSatisfying(reason -> assertThat(reason)
                .containsAnyOf("resolves to", "does not resolve"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://93.184.215.14/", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)",
            "https://user:pw@93.184.215.14/", "https:///nohost", "not a url", "", "https://93.184.215.14/#frag"})
    void otherSchemesCredentialsAndMalformedUrlsAreRefused(String url) {
        assertThat(PRODUCTION.refusal(url)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:9000/hook", "http://localhost:9000/hook"})
    void theLocalStackMayUseLoopbackButStillNotPrivateRanges(String url) {
        assertThat(LOCAL.refusal(url)).isEmpty();
        assertThat(LOCAL.refusal("http://10.0.0.1/")).isPresent();
        assertThat(LOCAL.refusal("http://169.254.169.254/")).isPresent();
    }

    @org.junit.jupiter.api.Test
    void overlongUrlsAreRefused() {
        assertThat(PRODUCTION.refusal("https://93.184.215.14/" + "a".repeat(UrlPolicy.MAX_LENGTH)))
                .hasValueSatisfying(reason -> assertThat(reason).contains("longer than"));
    }
}
