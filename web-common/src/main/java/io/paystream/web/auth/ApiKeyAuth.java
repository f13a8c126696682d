package io.paystream.web.auth;

import io.dropwizard.auth.AuthDynamicFeature;
import io.dropwizard.auth.AuthValueFactoryProvider;
import io.dropwizard.auth.Authenticator;
import io.dropwizard.auth.Authorizer;
import io.dropwizard.auth.UnauthorizedHandler;
import io.dropwizard.jersey.setup.JerseyEnvironment;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.glassfish.jersey.server.filter.RolesAllowedDynamicFeature;

/**
 * Bearer API-key authentication for Jersey, built on dropwizard-auth: {@code Authorization: Bearer <key>} is hashed
 * with SHA-256 and looked up among the configured keys. Only the header is read, never the URL
 * ({@link BearerHeaderAuthFilter}). Resources declare scopes with {@code @RolesAllowed} and take
 * the caller with {@code @Auth ApiClient}. Missing or unknown keys get 401, missing scopes 403, both written in the
 * API's error shape by {@code ErrorMappers}. The key is never logged.
 */
public final class ApiKeyAuth {
    private static final String PREFIX = "Bearer";

    private ApiKeyAuth() {
    }

    /** Registers authentication and scope checks for every resource method annotated with a security annotation. */
    public static void register(JerseyEnvironment jersey, List<ApiKeyFactory> keys) {
        Map<String, ApiClient> bySha256 = bySha256(keys);
        Authenticator<String, ApiClient> authenticator = credentials -> Optional.ofNullable(
                bySha256.get(sha256Hex(credentials)));
        Authorizer<ApiClient> authorizer = (ApiClient client, String scope, ContainerRequestContext request) ->
                client.hasScope(scope);
        jersey.register(new AuthDynamicFeature(new BearerHeaderAuthFilter.Builder()
                .setAuthenticator(authenticator)
                .setAuthorizer(authorizer)
                .setPrefix(PREFIX)
                .setRealm("paystream")
                .setUnauthorizedHandler(new ChallengeOnlyUnauthorizedHandler())
                .buildAuthFilter()));
        jersey.register(RolesAllowedDynamicFeature.class);
        jersey.register(new AuthValueFactoryProvider.Binder<>(ApiClient.class));
    }

    /**
     * True for an {@code Authorization} header ({@code Bearer <key>}) that carries one of {@code keys}: what the
     * per-address limit asks before it refuses a request.
     */
    public static Predicate<String> validAuthorization(List<ApiKeyFactory> keys) {
        Map<String, ApiClient> bySha256 = bySha256(keys);
        return header -> {
            String key = BearerHeaderAuthFilter.bearer(header, PREFIX);
            return key != null && bySha256.containsKey(sha256Hex(key));
        };
    }

    private static Map<String, ApiClient> bySha256(List<ApiKeyFactory> keys) {
        Map<String, ApiClient> bySha256 = new HashMap<>();
        for (ApiKeyFactory key : keys) {
            if (bySha256.put(key.getKeySha256(), key.toClient()) != null) {
                throw new IllegalArgumentException("two API keys share one hash; client " + key.getClientId());
            }
        }
        return Map.copyOf(bySha256);
    }

    /** The lower-case hex SHA-256 of {@code key}, as configured in {@code keySha256}. */
    public static String sha256Hex(String key) {
        return io.paystream.schemas.validation.BasicCredential.sha256Hex(key);
    }

    /**
     * 401 with the challenge a client needs and no body: {@code ErrorMappers} writes the body in the API's error shape
     * and counts it, which Jersey would skip for a response that already had an entity.
     */
    private static final class ChallengeOnlyUnauthorizedHandler implements UnauthorizedHandler {
        @Override
        public Response buildResponse(String prefix, String realm) {
            return Response.status(Response.Status.UNAUTHORIZED)
                    .header("WWW-Authenticate", prefix + " realm=\"" + realm + "\"")
                    .build();
        }
    }
}
