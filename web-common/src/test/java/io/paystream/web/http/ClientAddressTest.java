package io.paystream.web.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    private final ClientAddress behindProxies = new ClientAddress(List.of("10.0.0.0/8", "fd00::/8", "192.0.2.7"));

    @Test
    void withoutTrustedProxiesTheHeaderIsNeverRead() {
        ClientAddress direct = new ClientAddress(List.of());

        assertThat(direct.of("203.0.113.9", "198.51.100.1")).isEqualTo("203.0.113.9");
    }

    @Test
    void aClientThatIsNotATrustedProxyCannotChooseItsAddress() {
        assertThat(behindProxies.of("203.0.113.9", "198.51.100.1, 10.1.2.3")).isEqualTo("203.0.113.9");
    }

    @Test
    void behindTrustedProxiesTheClientIsTheFirstAddressFromTheRightThatNoProxyVouchesFor() {
        assertThat(behindProxies.of("10.0.0.5", "198.51.100.1")).isEqualTo("198.51.100.1");
        // The client wrote 1.1.1.1 itself; our proxies appended 198.51.100.1 (what they saw) and 10.2.2.2.
        assertThat(behindProxies.of("10.0.0.5", "1.1.1.1, 198.51.100.1, 10.2.2.2")).isEqualTo("198.51.100.1");
        assertThat(behindProxies.of("192.0.2.7", "2001:db8::1, fd00::3")).isEqualTo("2001:db8::1");
        assertThat(behindProxies.of("10.0.0.5", null)).isEqualTo("10.0.0.5");
    }

    @Test
    void garbageInTheHeaderCountsAsTheLastAddressAProxyVouchedFor() {
        assertThat(behindProxies.of("10.0.0.5", "evil.example, 10.2.2.2")).isEqualTo("10.2.2.2");
        assertThat(behindProxies.of("10.0.0.5", "not an address")).isEqualTo("10.0.0.5");
    }

    @Test
    void aTrustedProxyMustBeAnAddressOrARange() {
        assertThatThrownBy(() -> new ClientAddress(List.of("proxy.internal"))).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientAddress(List.of("10.0.0.0/33"))).isInstanceOf(
                IllegalArgumentException.class);
    }
}
