package io.paystream.web.auth;

import io.dropwizard.auth.AuthFilter;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;

/**
 * {@code Authorization: Bearer <key>}, and nothing else. Dropwizard's {@code OAuthCredentialAuthFilter} also takes
 * the key from an {@code ?access_token=} query parameter when the header is missing; a key in a URL ends up in
 * access logs, proxies' logs, browser history and {@code Referer} headers, so this filter never looks there, and such
 * a request is answered 401 like one without a key.
 */
@Priority(Priorities.AUTHENTICATION)
final class BearerHeaderAuthFilter extends AuthFilter<String, ApiClient> {
    private BearerHeaderAuthFilter() {
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!authenticate(request, bearer(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION), prefix),
                SecurityContext.BASIC_AUTH)) {
            throw unauthorizedHandler.buildException(prefix, realm);
        }
    }

    /** The credentials after {@code prefix} and a space (the prefix in any case), or null. */
    static String bearer(String header, String prefix) {
        if (header == null) {
            return null;
        }
        int space = header.indexOf(' ');
        if (space <= 0 || !prefix.equalsIgnoreCase(header.substring(0, space))) {
            return null;
        }
        String credentials = header.substring(space + 1).strip();
        return credentials.isEmpty() ? null : credentials;
    }

    static final class Builder extends AuthFilterBuilder<String, ApiClient, BearerHeaderAuthFilter> {
        @Override
        protected BearerHeaderAuthFilter newInstance() {
            return new BearerHeaderAuthFilter();
        }
    }
}
