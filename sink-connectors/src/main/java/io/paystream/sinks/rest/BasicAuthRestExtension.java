package io.paystream.sinks.rest;

import io.paystream.schemas.validation.BasicCredential;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;

/**
 * HTTP basic auth on the Connect worker's REST API, with the same credential as the apps' admin ports: a user name
 * and the SHA-256 of the password ({@code paystream.rest.auth.user} and {@code paystream.rest.auth.password.sha256}
 * in the worker's configuration). Every request must carry it, {@code /metrics} too; only the two requests that
 * workers of one cluster send each other ({@code POST /connectors/{name}/tasks} and {@code PUT
 * /connectors/{name}/fence}) pass without it when they carry Connect's own request signature, which the worker
 * verifies. Without this, anyone who reaches the port could create a connector that reads the worker's secrets.
 */
public final class BasicAuthRestExtension implements ConnectRestExtension {
    public static final String USER = "paystream.rest.auth.user";
    public static final String PASSWORD_SHA256 = "paystream.rest.auth.password.sha256";
    /** The header that carries Connect's signature of a request between workers (InternalRequestSignature). */
    static final String SIGNATURE_HEADER = "X-Connect-Authorization";
    private static final Pattern INTERNAL = Pattern.compile("/?connectors/[^/]+/(tasks|fence)/?");
    private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

    private BasicCredential credential;

    @Override
    public void configure(Map<String, ?> configs) {
        Object user = configs.get(USER);
        Object hash = configs.get(PASSWORD_SHA256);
        if (user == null || user.toString().isBlank()) {
            throw new ConfigException(USER + " must name the user of the REST API's basic auth");
        }
        if (hash == null || !HASH.matcher(hash.toString()).matches()) {
            throw new ConfigException(PASSWORD_SHA256 + " must be the lower-case hex SHA-256 of the password");
        }
        credential = new BasicCredential(user.toString(), hash.toString());
    }

    @Override
    public void register(ConnectRestExtensionContext context) {
        context.configurable().register(new Filter(credential), Priorities.AUTHENTICATION);
    }

    @Override
    public void close() {
        // Nothing to release.
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    /** Refuses a request without the credential with 401 and a challenge, before any resource runs. */
    static final class Filter implements ContainerRequestFilter {
        private final BasicCredential credential;

        Filter(BasicCredential credential) {
            this.credential = credential;
        }

        @Override
        public void filter(ContainerRequestContext request) {
            if (betweenWorkers(request) || credential.matches(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
                return;
            }
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"paystream-connect\", charset=\"UTF-8\"")
                    .entity("{\"error_code\":401,\"message\":\"basic auth required\"}")
                    .type("application/json").build());
        }

        private static boolean betweenWorkers(ContainerRequestContext request) {
            String method = request.getMethod();
            return request.getHeaderString(SIGNATURE_HEADER) != null
                    && ("POST".equals(method) || "PUT".equals(method))
                    && INTERNAL.matcher(request.getUriInfo().getPath()).matches();
        }
    }
}
