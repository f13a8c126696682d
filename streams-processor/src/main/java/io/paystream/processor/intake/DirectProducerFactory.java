package io.paystream.processor.intake;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.ApiKeyFactory;
import io.paystream.web.auth.Scopes;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One direct producer in the processor's YAML ({@code directProducers:}): a client that writes payment requests to
 * its own topic, {@code payments.requests.<clientId>.v1}, and batches to {@code payments.batches.<clientId>.v1},
 * instead of calling the ingress. The broker's ACLs let only
 * that client's principal write the topic, so the processor knows who sent each request on it, and applies the
 * ownership and scope rules the ingress applies to an API key: the payer (the payee of a TOPUP) must start with one of
 * {@code ownedAccountPrefixes}, and a TOPUP needs {@code funds:write}.
 */
public class DirectProducerFactory {
    /** What a direct producer may be allowed: paying from its accounts, and topping them up. */
    static final Set<String> ALLOWED_SCOPES = Set.of(Scopes.PAYMENTS_WRITE, Scopes.FUNDS_WRITE);

    @NotNull
    @Pattern(regexp = Topics.DIRECT_CLIENT_ID, message = "must be lower-case letters, digits and '-': it names a topic")
    private String clientId;

    @NotEmpty
    private Set<String> scopes = new HashSet<>(Set.of(Scopes.PAYMENTS_WRITE));

    @NotEmpty
    private List<String> ownedAccountPrefixes = new ArrayList<>();

    @AssertTrue(message = "scopes of a direct producer must be among payments:write and funds:write")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isKnownScopes() {
        return scopes != null && ALLOWED_SCOPES.containsAll(scopes);
    }

    @AssertTrue(message = "ownedAccountPrefixes must each start with a letter or digit, use only the characters of an "
            + "account id, and end in a separator (- : . _), such as acme-")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isPrefixesWellFormed() {
        return ownedAccountPrefixes != null
                && ownedAccountPrefixes.stream().allMatch(ApiKeyFactory::isWellFormedPrefix);
    }

    /** True when the fields are valid enough to build the client from; the annotations report what is wrong. */
    boolean isComplete() {
        return clientId != null && isKnownScopes() && isPrefixesWellFormed();
    }

    /** The client this producer's requests are checked as. */
    public ApiClient toClient() {
        return new ApiClient(clientId, scopes, ownedAccountPrefixes);
    }

    /** The topic this producer writes its payment requests to. */
    public Topic<String, PaymentRequest> topic() {
        return Topics.directRequests(clientId);
    }

    /** The topic this producer writes its batches to. */
    public Topic<String, PaymentBatch> batchTopic() {
        return Topics.directBatches(clientId);
    }

    /** The clients of the well-formed entries, for checks across entries and API keys. */
    public static List<ApiClient> clients(List<DirectProducerFactory> producers) {
        return producers.stream().filter(DirectProducerFactory::isComplete).map(DirectProducerFactory::toClient)
                .toList();
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
