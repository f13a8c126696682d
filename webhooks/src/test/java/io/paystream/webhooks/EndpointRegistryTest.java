package io.paystream.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.WebhookEndpoint;
import io.paystream.schemas.avro.WebhookEndpointStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointRegistryTest {
    private static WebhookEndpoint endpoint(String clientId, int n) {
        return WebhookEndpoint.newBuilder().setEndpointId(String.format("we_%s_%02d", clientId, n)).setClientId(clientId)
                .setAdmin(false).setOwnedAccountPrefixes(List.of(clientId + "-")).setUrl("https://93.184.215.14/" + n)
                .setEvents(List.of()).setSecret("whsec_x").setStatus(WebhookEndpointStatus.ENABLED)
                .setCreatedAtMs(1_000L + n).setUpdatedAtMs(1_000L + n).build();
    }

    @Test
    void onlyEachClientsOldestEndpointsUpToTheCapReceiveEvents() {
        List<WebhookEndpoint> all = new ArrayList<>();
        for (int n = 0; n < EndpointRegistry.ENDPOINTS_PER_CLIENT_MAX + 4; n++) {
            all.add(endpoint("globex", n));
        }
        all.add(endpoint("acme", 0));
        Collections.shuffle(all, new java.util.Random(7));

        List<WebhookEndpoint> deliverable = EndpointRegistry.withinCap(all);

        assertThat(deliverable).filteredOn(e -> e.getClientId().equals("globex"))
                .hasSize(EndpointRegistry.ENDPOINTS_PER_CLIENT_MAX)
                .allSatisfy(e -> assertThat(e.getCreatedAtMs()).isLessThan(1_000L + EndpointRegistry.ENDPOINTS_PER_CLIENT_MAX));
        assertThat(deliverable).filteredOn(e -> e.getClientId().equals("acme")).hasSize(1);
    }
}
