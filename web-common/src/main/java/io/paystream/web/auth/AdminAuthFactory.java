package io.paystream.web.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.setup.Environment;
import io.paystream.schemas.validation.BasicCredential;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Pattern;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;

/**
 * The optional {@code adminAuth:} block: HTTP basic auth on the admin port, whose {@code /metrics}, {@code /threads}
 * and {@code /tasks} show the app's insides and can change its state. {@code /ping} and {@code /healthcheck} stay
 * open, because orchestrators' probes call them without credentials. Only the password's SHA-256 is configured.
 * A block whose two values are both empty is off: the production configs name both from the environment, and an app
 * whose admin port listens beyond loopback refuses to start without them (PayStreamConfiguration).
 */
public class AdminAuthFactory {
    /** Paths that probes call without credentials. */
    static final Set<String> OPEN_PATHS = Set.of("/ping", "/healthcheck");

    private String username = "";

    @Pattern(regexp = "([0-9a-f]{64})?", message = "must be the lower-case hex SHA-256 of the password")
    private String passwordSha256 = "";

    /** Both set, or both empty. Reported as "complete failed: ...". */
    @AssertTrue(message = "failed: adminAuth needs both a username and a passwordSha256, or neither")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isComplete() {
        return isEnabled() || (blank(username) && blank(passwordSha256));
    }

    /** Whether the admin port asks for the credential. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isEnabled() {
        return !blank(username) && !blank(passwordSha256);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    /** Puts the filter in front of every admin servlet. */
    public void register(Environment environment) {
        environment.admin().addFilter("admin-basic-auth", new BasicAuthFilter(username, passwordSha256))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }

    @JsonProperty
    public String getUsername() {
        return username;
    }

    @JsonProperty
    public void setUsername(String username) {
        this.username = username;
    }

    @JsonProperty
    public String getPasswordSha256() {
        return passwordSha256;
    }

    @JsonProperty
    public void setPasswordSha256(String passwordSha256) {
        this.passwordSha256 = passwordSha256;
    }

    static final class BasicAuthFilter implements Filter {
        private final BasicCredential credential;

        BasicAuthFilter(String username, String passwordSha256) {
            this.credential = new BasicCredential(username, passwordSha256);
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest http = (HttpServletRequest) request;
            String path = http.getRequestURI().substring(http.getContextPath().length());
            if (OPEN_PATHS.contains(path) || allowed(http.getHeader("Authorization"))) {
                chain.doFilter(request, response);
                return;
            }
            HttpServletResponse answer = (HttpServletResponse) response;
            answer.setHeader("WWW-Authenticate", "Basic realm=\"paystream-admin\", charset=\"UTF-8\"");
            answer.sendError(HttpServletResponse.SC_UNAUTHORIZED);
        }

        boolean allowed(String header) {
            return credential.matches(header);
        }
    }
}
