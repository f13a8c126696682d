package io.paystream.web.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One API key in the YAML. The key itself is never stored: only its SHA-256, in lower-case hex
 * ({@code printf %s "$KEY" | sha256sum}). Production configs take it from the environment.
 */
public class ApiKeyFactory {
    private static final java.util.regex.Pattern PREFIX = java.util.regex.Pattern.compile(
            "[A-Za-z0-9][A-Za-z0-9._:-]{0,62}[-:._]");

    @NotBlank
    @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
    private String clientId;

    @NotNull
    @Pattern(regexp = "[0-9a-f]{64}", message = "must be the lower-case hex SHA-256 of the key")
    private String keySha256;

    @NotEmpty
    private Set<String> scopes = new HashSet<>();

    @NotNull
    private List<String> ownedAccountPrefixes = new ArrayList<>();

    @AssertTrue(message = "scopes must be among payments:write, accounts:write, accounts:read, funds:write, "
            + "credit:write, webhooks:write, service:read, admin")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isKnownScopes() {
        return Scopes.ALL.containsAll(scopes);
    }

    /**
     * An owned prefix starts like an account id and ends in a separator: {@code acme-} owns {@code acme-1} but not
     * {@code acmecorp-1}, which a bare {@code acme} would.
     */
    @AssertTrue(message = "ownedAccountPrefixes must each start with a letter or digit, use only the characters of an "
            + "account id, and end in a separator (- : . _), such as acme-")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isPrefixesWellFormed() {
        return ownedAccountPrefixes.stream().allMatch(ApiKeyFactory::isWellFormedPrefix);
    }

    /** True when {@code prefix} starts like an account id and ends in a separator (- : . _), such as {@code acme-}. */
    public static boolean isWellFormedPrefix(String prefix) {
        return prefix != null && PREFIX.matcher(prefix).matches();
    }

    /** {@link ApiClient#overlaps} of these keys' clients. */
    public static List<String> overlaps(List<ApiKeyFactory> keys) {
        return ApiClient.overlaps(clients(keys));
    }

    /**
     * The clients of the keys that are complete enough to build one; a key without a client id or with a malformed
     * prefix is left to its own validation message.
     */
    public static List<ApiClient> clients(List<ApiKeyFactory> keys) {
        return keys.stream().filter(key -> key.clientId != null && key.scopes != null
                && key.ownedAccountPrefixes != null && key.isPrefixesWellFormed()).map(ApiKeyFactory::toClient).toList();
    }

    /** The principal this key authenticates as. */
    public ApiClient toClient() {
        return new ApiClient(clientId, scopes, ownedAccountPrefixes);
    }

    @JsonProperty
    public String getClientId() {
        return clientId;
    }

    @JsonProperty
    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    @JsonProperty
    public String getKeySha256() {
        return keySha256;
    }

    @JsonProperty
    public void setKeySha256(String keySha256) {
        this.keySha256 = keySha256;
    }

    @JsonProperty
    public Set<String> getScopes() {
        return scopes;
    }

    @JsonProperty
    public void setScopes(Set<String> scopes) {
        this.scopes = scopes;
    }

    @JsonProperty
    public List<String> getOwnedAccountPrefixes() {
        return ownedAccountPrefixes;
    }

    @JsonProperty
    public void setOwnedAccountPrefixes(List<String> ownedAccountPrefixes) {
        this.ownedAccountPrefixes = ownedAccountPrefixes;
    }
}
