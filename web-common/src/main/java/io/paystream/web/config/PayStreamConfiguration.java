package io.paystream.web.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.paystream.web.auth.AdminAuthFactory;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.auth.ApiKeyFactory;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.http.RateLimitFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every PayStream app's YAML has: {@code kafka} (client properties passed to every Kafka client the app creates,
 * {@code bootstrap.servers} at least), {@code apiKeys} (SHA-256 hashes only, with scopes and owned prefixes),
 * {@code rateLimit} and {@code profile}.
 */
public class PayStreamConfiguration extends Configuration {
    /** The local stack's admin key. It is in the README, so it is public: never a key for real money. */
    public static final String LOCAL_DEV_KEY_SHA256 = ApiKeyAuth.sha256Hex("local-dev-key");
    /** The local stack's service keys: the ingress's and Connect's on the query API. Public like local-dev-key. */
    public static final String LOCAL_INGRESS_QUERY_KEY = "local-ingress-query-key";
    public static final String LOCAL_CONNECT_QUERY_KEY = "local-connect-query-key";
    /** Every key whose secret is in the repository, and so is refused outside profile local. */
    public static final java.util.Set<String> PUBLIC_KEY_SHA256S = java.util.Set.of(LOCAL_DEV_KEY_SHA256,
            ApiKeyAuth.sha256Hex(LOCAL_INGRESS_QUERY_KEY), ApiKeyAuth.sha256Hex(LOCAL_CONNECT_QUERY_KEY));
    public static final String LOCAL = "local";
    public static final String PRODUCTION = "production";

    /**
     * {@code local} lets the app start with the public {@code local-dev-key}; {@code production}, the default, refuses
     * to. The shipped configs read it from {@code PAYSTREAM_PROFILE}, which {@code make run} sets to {@code local}:
     * starting with the local key takes that explicit choice.
     */
    @NotNull
    @Pattern(regexp = LOCAL + "|" + PRODUCTION, message = "must be local or production")
    private String profile = PRODUCTION;

    @NotEmpty
    private Map<String, String> kafka = new HashMap<>();

    @Valid
    @NotEmpty
    private List<ApiKeyFactory> apiKeys = new ArrayList<>();

    @Valid
    @NotNull
    private RateLimitFactory rateLimit = new RateLimitFactory();

    /**
     * The shortest authorization a manual capture may ask for: 60 s in production; profile local may lower it (to 1 s
     * at least), so that a test or a demo sees a hold expire without waiting a minute. The ingress and the processor
     * must agree, as each checks it.
     */
    @jakarta.validation.constraints.Min(PaymentRequestRules.HOLD_SECONDS_FLOOR)
    private long minHoldSeconds = PaymentRequestRules.HOLD_SECONDS_MIN;

    /** Reported as "minHoldSecondsFitsProfile failed: ...". */
    @AssertTrue(message = "failed: minHoldSeconds below 60 is for profile local only: production holds last a minute "
            + "at least.")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isMinHoldSecondsFitsProfile() {
        return LOCAL.equals(profile) || minHoldSeconds >= PaymentRequestRules.HOLD_SECONDS_MIN;
    }

    @JsonProperty
    public long getMinHoldSeconds() {
        return minHoldSeconds;
    }

    @JsonProperty
    public void setMinHoldSeconds(long minHoldSeconds) {
        this.minHoldSeconds = minHoldSeconds;
    }

    /** Basic auth on the admin port; none when absent. */
    @Valid
    private AdminAuthFactory adminAuth;

    /** The public local key starts nothing but a local stack. Reported as "keysFitProfile failed: ...". */
    @AssertTrue(message = "failed: apiKeys holds the public local-dev-key or a public local service key, which only "
            + "profile local accepts "
            + "(PAYSTREAM_PROFILE=local, as make run sets it). Configure a key of your own instead: "
            + "PAYSTREAM_ADMIN_KEY_SHA256 is the SHA-256 of a secret.")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isKeysFitProfile() {
        return LOCAL.equals(profile) || apiKeys.stream().noneMatch(key -> PUBLIC_KEY_SHA256S.contains(
                key.getKeySha256()));
    }

    /** Reported as "prefixesDisjoint failed: ...". */
    @AssertTrue(message = "failed: two clients own overlapping ownedAccountPrefixes (one starts with the other), so "
            + "an account would belong to both. Give each client prefixes of its own; keys of one tenant share a "
            + "clientId.")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isPrefixesDisjoint() {
        return ApiKeyFactory.overlaps(apiKeys).isEmpty();
    }

    /** Lets the YAML use {@code ${VAR:-default}}: production takes secrets and addresses from the environment. */
    public static void substituteEnvironment(Bootstrap<?> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @JsonProperty
    public Map<String, String> getKafka() {
        return kafka;
    }

    @JsonProperty
    public void setKafka(Map<String, String> kafka) {
        this.kafka = kafka;
    }

    /**
     * The admin port's {@code /metrics}, {@code /threads} and {@code /tasks} show the app's insides and can change
     * its state: an admin connector that listens beyond loopback needs {@code adminAuth}. Reported as
     * "adminPortClosedOrAuthenticated failed: ...".
     */
    @AssertTrue(message = "failed: an admin connector listens beyond loopback without adminAuth. Set adminAuth's "
            + "username and passwordSha256 (PAYSTREAM_ADMIN_AUTH_USER and PAYSTREAM_ADMIN_AUTH_PASSWORD_SHA256 in "
            + "the production configs), or bind the admin port to 127.0.0.1.")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isAdminPortClosedOrAuthenticated() {
        return (adminAuth != null && adminAuth.isEnabled()) || adminBindHosts().stream().allMatch(
                PayStreamConfiguration::isLoopback);
    }

    /** The admin connectors' bind hosts; null for a connector that listens on every interface. */
    private List<String> adminBindHosts() {
        List<String> hosts = new ArrayList<>();
        if (getServerFactory() instanceof io.dropwizard.core.server.DefaultServerFactory server) {
            server.getAdminConnectors().forEach(connector -> hosts.add(connector
                    instanceof io.dropwizard.jetty.HttpConnectorFactory http ? http.getBindHost() : null));
        } else {
            hosts.add(null); // a single-port server serves the admin servlets on its application port
        }
        return hosts;
    }

    private static boolean isLoopback(String host) {
        return host != null && (host.equals("localhost") || host.startsWith("127.") || host.equals("::1")
                || host.equals("[::1]"));
    }

    /** Registers basic auth on the admin port when {@code adminAuth} is configured. */
    public void registerAdminAuth(Environment environment) {
        if (adminAuth != null && adminAuth.isEnabled()) {
            adminAuth.register(environment);
        }
    }

    @JsonProperty
    public AdminAuthFactory getAdminAuth() {
        return adminAuth;
    }

    @JsonProperty
    public void setAdminAuth(AdminAuthFactory adminAuth) {
        this.adminAuth = adminAuth;
    }

    @JsonProperty
    public RateLimitFactory getRateLimit() {
        return rateLimit;
    }

    @JsonProperty
    public void setRateLimit(RateLimitFactory rateLimit) {
        this.rateLimit = rateLimit;
    }

    @JsonProperty
    public String getProfile() {
        return profile;
    }

    @JsonProperty
    public void setProfile(String profile) {
        this.profile = profile;
    }

    @JsonProperty
    public List<ApiKeyFactory> getApiKeys() {
        return apiKeys;
    }

    @JsonProperty
    public void setApiKeys(List<ApiKeyFactory> apiKeys) {
        this.apiKeys = apiKeys;
    }
}
