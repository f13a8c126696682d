package io.paystream.queries.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ForwarderTest {
    private static final List<String> HASHES = List.of("aa".repeat(32), "bb".repeat(32));

    @Test
    void everyInstanceWithTheSameKeysDerivesTheSameToken() {
        assertThat(Forwarder.token(HASHES)).isEqualTo(Forwarder.token(List.of("bb".repeat(32), "aa".repeat(32))))
                .hasSize(64).doesNotContain("aa".repeat(32)).doesNotContain("bb".repeat(32));
        assertThat(Forwarder.token(HASHES)).isNotEqualTo(Forwarder.token(List.of("aa".repeat(32))));
    }

    @Test
    void onlyThePeersTokenMarksARequestAsForwarded() {
        Forwarder forwarder = new Forwarder(Duration.ofSeconds(1), Forwarder.token(HASHES));
        assertThat(forwarder.fromPeer(Forwarder.token(HASHES))).isTrue();
        assertThat(forwarder.fromPeer(null)).isFalse();
        assertThat(forwarder.fromPeer("1")).isFalse();
        assertThat(forwarder.fromPeer("")).isFalse();
        assertThat(forwarder.fromPeer(Forwarder.token(List.of()))).isFalse();
    }
}
