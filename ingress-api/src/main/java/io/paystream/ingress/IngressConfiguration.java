package io.paystream.ingress;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.ingress.http.CorsFactory;
import io.paystream.ingress.kafka.ProducerFactory;
import io.paystream.ingress.lookup.QueryApiFactory;
import io.paystream.web.auth.ApiKeyAuth;
import io.paystream.web.config.PayStreamConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The ingress YAML: server ports, {@code kafka} client properties, {@code producer} timeouts, {@code apiKeys} (hashes
 * only), {@code rateLimit} (in {@link PayStreamConfiguration}), and the request body limit.
 */
public class IngressConfiguration extends PayStreamConfiguration {
    /** A payment is a few hundred bytes: 64 KiB leaves room for metadata and nothing else. */
    private static final int DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;
    /** The secret in config.yml's default: in the repository, so public, like local-dev-key. */
    public static final String LOCAL_PAYMENT_ID_SECRET = "local-dev-payment-id-secret-public-not-for-money";


    @Valid
    @NotNull
    private ProducerFactory producer = new ProducerFactory();

    @Min(1_024)
    @Max(1_048_576)
    private int bodyLimitBytes = DEFAULT_BODY_LIMIT_BYTES;

    /**
     * The body limit of {@code POST /v1/payment-batches}: 1,000 payments of a few hundred bytes each fit in 1 MiB,
     * and the records the ingress makes of them stay under Kafka's default 1 MB request size.
     */
    @Min(1_024)
    @Max(1_048_576)
    private int batchBodyLimitBytes = 1_048_576;

    /** Browser origins that may call the API: the operator console's. None by default. */
    @Valid
    @NotNull
    private CorsFactory cors = new CorsFactory();

    @JsonProperty
    public CorsFactory getCors() {
        return cors;
    }

    @JsonProperty
    public void setCors(CorsFactory cors) {
        this.cors = cors;
    }

    /** Where capture and void look payments up, and with which key. */
    @Valid
    @NotNull
    private QueryApiFactory queryApi = new QueryApiFactory();

    /** Reported as "queryApiKeyFitsProfile failed: ...". */
    @AssertTrue(message = "failed: queryApi.key is a public local key, which only profile local accepts. Set "
            + "PAYSTREAM_QUERY_API_KEY to the ingress's service:read key of the processors' query API.")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isQueryApiKeyFitsProfile() {
        return LOCAL.equals(getProfile()) || queryApi.getKey() == null
                || !PUBLIC_KEY_SHA256S.contains(ApiKeyAuth.sha256Hex(queryApi.getKey()));
    }

    @JsonProperty
    public QueryApiFactory getQueryApi() {
        return queryApi;
    }

    @JsonProperty
    public void setQueryApi(QueryApiFactory queryApi) {
        this.queryApi = queryApi;
    }

    /** The key of the payment-id derivation ({@link PaymentIds}); the same on every instance, and never changed. */
    @NotNull
    @Size(min = PaymentIds.SECRET_LENGTH_MIN, message = "must be at least 32 characters (PAYSTREAM_PAYMENT_ID_SECRET)")
    private String paymentIdSecret;

    /** Reported as "paymentIdSecretFitsProfile failed: ...". */
    @AssertTrue(message = "failed: paymentIdSecret is the local stack's, which is public; only profile local accepts "
            + "it. Set PAYSTREAM_PAYMENT_ID_SECRET to a random value of at least 32 characters, kept for good.")
    @JsonProperty(access = JsonProperty.Access.READ_ONLY)
    public boolean isPaymentIdSecretFitsProfile() {
        return LOCAL.equals(getProfile()) || !LOCAL_PAYMENT_ID_SECRET.equals(paymentIdSecret);
    }

    @JsonProperty
    public String getPaymentIdSecret() {
        return paymentIdSecret;
    }

    @JsonProperty
    public void setPaymentIdSecret(String paymentIdSecret) {
        this.paymentIdSecret = paymentIdSecret;
    }

    @JsonProperty
    public ProducerFactory getProducer() {
        return producer;
    }

    @JsonProperty
    public void setProducer(ProducerFactory producer) {
        this.producer = producer;
    }

    @JsonProperty
    public int getBatchBodyLimitBytes() {
        return batchBodyLimitBytes;
    }

    @JsonProperty
    public void setBatchBodyLimitBytes(int batchBodyLimitBytes) {
        this.batchBodyLimitBytes = batchBodyLimitBytes;
    }

    @JsonProperty
    public int getBodyLimitBytes() {
        return bodyLimitBytes;
    }

    @JsonProperty
    public void setBodyLimitBytes(int bodyLimitBytes) {
        this.bodyLimitBytes = bodyLimitBytes;
    }
}
