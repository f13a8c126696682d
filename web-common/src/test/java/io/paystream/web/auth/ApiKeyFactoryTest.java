package io.paystream.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.jersey.validation.Validators;
import io.paystream.web.config.PayStreamConfiguration;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyFactoryTest {
    private final Validator validator = Validators.newValidator();

    private static ApiKeyFactory key(String clientId, String secret, String... prefixes) {
        ApiKeyFactory key = new ApiKeyFactory();
        key.setClientId(clientId);
        key.setKeySha256(ApiKeyAuth.sha256Hex(secret));
        key.setScopes(Set.of(Scopes.PAYMENTS_WRITE));
        key.setOwnedAccountPrefixes(List.of(prefixes));
        return key;
    }

    private Set<String> violations(Object bean) {
        return validator.validate(bean).stream().map(v -> v.getPropertyPath() + " " + v.getMessage())
                .collect(java.util.stream.Collectors.toSet());
    }

    @Test
    void aPrefixEndsInASeparator() {
        assertThat(violations(key("acme", "s", "acme-", "shared:", "eu.", "x_"))).isEmpty();
        for (String bad : new String[] {"acme", "", "-", "acme-*", "ac me-", "-acme-"}) {
            assertThat(violations(key("acme", "s", bad))).as(bad)
                    .anySatisfy(v -> assertThat(v).startsWith("prefixesWellFormed ").contains("such as acme-"));
        }
    }

    @Test
    void twoClientsMayNotOwnOverlappingPrefixes() {
        assertThat(ApiKeyFactory.overlaps(List.of(key("acme", "a", "acme-"), key("acmeeu", "b", "acme-eu-"))))
                .containsExactly("acme (acme-) and acmeeu (acme-eu-)");
        assertThat(ApiKeyFactory.overlaps(List.of(key("globex", "a", "globex-"), key("acme", "b", "globex-"))))
                .containsExactly("acme (globex-) and globex (globex-)");
        // Keys of one client may share prefixes, and disjoint ones never overlap.
        assertThat(ApiKeyFactory.overlaps(List.of(key("acme", "a", "acme-"), key("acme", "b", "acme-"),
                key("globex", "c", "globex-"), key("acmecorp", "d", "acmecorp-")))).isEmpty();
    }

    @Test
    void aConfigurationWithOverlappingClientsDoesNotValidate() {
        PayStreamConfiguration configuration = new PayStreamConfiguration();
        configuration.setKafka(Map.of("bootstrap.servers", "127.0.0.1:9092"));
        configuration.setApiKeys(List.of(key("acme", "a", "acme-"), key("mallory", "b", "acme-1-")));
        Set<ConstraintViolation<PayStreamConfiguration>> violations = validator.validate(configuration);
        assertThat(violations).anySatisfy(v -> {
            assertThat(v.getPropertyPath().toString()).isEqualTo("prefixesDisjoint");
            assertThat(v.getMessage()).contains("overlapping ownedAccountPrefixes");
        });

        configuration.setApiKeys(List.of(key("acme", "a", "acme-"), key("mallory", "b", "mallory-")));
        assertThat(validator.validate(configuration)).extracting(v -> v.getPropertyPath().toString())
                .doesNotContain("prefixesDisjoint");
    }
}
