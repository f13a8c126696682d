package io.paystream.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.paystream.web.auth.AdminAuthFactory;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.auth.ApiKeyFactory;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The rules every app's configuration checks: an admin port that listens beyond loopback needs basic auth, whatever
 * the profile; holds shorter than a minute are for profile local only.
 */
class PayStreamConfigurationTest {
    private final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

    private PayStreamConfiguration withAdminHost(String bindHost) {
        PayStreamConfiguration configuration = new PayStreamConfiguration();
        configuration.setKafka(Map.of("bootstrap.servers", "127.0.0.1:9092"));
        ApiKeyFactory key = new ApiKeyFactory();
        key.setClientId("ops");
        key.setKeySha256(ApiKeyAuth.sha256Hex("a-real-secret"));
        key.setScopes(Set.of("admin"));
        configuration.setApiKeys(List.of(key));
        HttpConnectorFactory admin = new HttpConnectorFactory();
        admin.setBindHost(bindHost);
        ((DefaultServerFactory) configuration.getServerFactory()).setAdminConnectors(List.of(admin));
        return configuration;
    }

    private List<String> violations(PayStreamConfiguration configuration) {
        return validator.validate(configuration).stream().map(v -> v.getPropertyPath().toString()).toList();
    }

    @Test
    void aLoopbackAdminPortNeedsNoAuth() {
        for (String host : List.of("127.0.0.1", "localhost", "::1")) {
            assertThat(violations(withAdminHost(host))).as(host).isEmpty();
        }
    }

    @Test
    void anAdminPortOnEveryInterfaceOrAnAddressNeedsAuth() {
        for (String host : Arrays.asList(null, "0.0.0.0", "10.0.0.7", "::")) {
            PayStreamConfiguration configuration = withAdminHost(host);
            assertThat(violations(configuration)).as(host).containsExactly("adminPortClosedOrAuthenticated");

            AdminAuthFactory auth = new AdminAuthFactory();
            auth.setUsername("operations");
            auth.setPasswordSha256(ApiKeyAuth.sha256Hex("admin-secret"));
            configuration.setAdminAuth(auth);
            assertThat(violations(configuration)).as(host).isEmpty();
        }
    }

    @Test
    void halfACredentialIsRefused() {
        PayStreamConfiguration configuration = withAdminHost("127.0.0.1");
        AdminAuthFactory auth = new AdminAuthFactory();
        auth.setUsername("operations");
        configuration.setAdminAuth(auth);

        assertThat(violations(configuration)).containsExactly("adminAuth.complete");
        assertThat(auth.isEnabled()).isFalse();
    }

    @Test
    void holdsShorterThanAMinuteAreForProfileLocalOnly() {
        PayStreamConfiguration configuration = withAdminHost("127.0.0.1");
        configuration.setMinHoldSeconds(5);
        assertThat(violations(configuration)).containsExactly("minHoldSecondsFitsProfile");

        configuration.setProfile(PayStreamConfiguration.LOCAL);
        assertThat(violations(configuration)).isEmpty();
        configuration.setMinHoldSeconds(0);
        assertThat(violations(configuration)).containsExactly("minHoldSeconds");
    }
}
