package io.paystream.web.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BearerHeaderAuthFilterTest {
    @Test
    void takesTheKeyOnlyFromABearerHeader() {
        assertThat(BearerHeaderAuthFilter.bearer("Bearer local-dev-key", "Bearer")).isEqualTo("local-dev-key");
        assertThat(BearerHeaderAuthFilter.bearer("bearer  k ", "Bearer")).isEqualTo("k");
        assertThat(BearerHeaderAuthFilter.bearer("Basic a2V5", "Bearer")).isNull();
        assertThat(BearerHeaderAuthFilter.bearer("Bearer ", "Bearer")).isNull();
        assertThat(BearerHeaderAuthFilter.bearer("Bearerkey", "Bearer")).isNull();
        assertThat(BearerHeaderAuthFilter.bearer(" Bearer key", "Bearer")).isNull();
        assertThat(BearerHeaderAuthFilter.bearer(null, "Bearer")).isNull();
    }
}
