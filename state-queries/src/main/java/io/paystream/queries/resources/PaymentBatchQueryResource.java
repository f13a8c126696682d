package io.paystream.queries.resources;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import io.paystream.queries.routing.KeyRouter;
import io.paystream.queries.routing.Lookup;
import io.paystream.schemas.BatchIds;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code GET /v1/payment-batches/{batchId}}: a batch's counts by status and a page of its payments. A batch's
 * payments have ids derived from the batch id and their index ({@link BatchIds}), so the batch is read from its
 * payments' own states, each from the instance that owns it: payment 0 says how many there are. Needs accounts:read
 * and the right to read the account each payment's first leg moves (the payer; the payee of a TOPUP), which the
 * batch's own client has; otherwise, or when payment 0 is not known yet, 404, like an unknown batch. A payment the
 * processor has not decided yet counts as PENDING.
 */
@Path("/v1/payment-batches/{batchId}")
@Produces(MediaType.APPLICATION_JSON)
public final class PaymentBatchQueryResource {
    private static final int LIMIT_DEFAULT = 100;
    private static final int LIMIT_MAX = 1_000;
    private static final Set<String> FINAL = Set.of(PaymentStatus.COMPLETED.name(), PaymentStatus.REJECTED.name(),
            PaymentStatus.REVERSED.name(), PaymentStatus.VOIDED.name(), PaymentStatus.EXPIRED.name());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyRouter router;
    private final String store;

    PaymentBatchQueryResource(KeyRouter router, String store) {
        this.router = Objects.requireNonNull(router, "router");
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * The answer.
     *
     * @param batchId the batch's id
     * @param size how many payments it has
     * @param atomic true for an atomic batch
     * @param status PROCESSING until every payment has a final status; then DONE for an independent batch, and for an
     *     atomic one COMPLETED (every payment moved), REJECTED (none did) or PARTIALLY_REVERSED (every payer was
     *     debited, and a payee that changed after its vote refused its credit, which went back to its payer)
     * @param failure for a REJECTED atomic batch: the payment whose failure rejected it, and why
     * @param counts the payments by status (PENDING: not decided yet; PROCESSING: accepted, not finished)
     * @param payments the page asked for, in index order
     * @param next the {@code offset} of the next page, absent on the last
     */
    public record BatchView(String batchId, int size, boolean atomic, String status,
            @JsonInclude(JsonInclude.Include.NON_NULL) Failure failure, Map<String, Integer> counts,
            List<Item> payments, @JsonInclude(JsonInclude.Include.NON_NULL) Integer next) {
    }

    /**
     * Why an atomic batch was rejected.
     *
     * @param index the payment that failed, or null when the batch timed out waiting for a payment
     * @param reason its reason (ATOMIC_BATCH_FAILED for a timeout)
     * @param detail the reason in words
     */
    public record Failure(@JsonInclude(JsonInclude.Include.NON_NULL) Integer index, String reason,
            @JsonInclude(JsonInclude.Include.NON_NULL) String detail) {
    }

    /** One payment of the batch. */
    public record Item(int index, String paymentId, String status,
            @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {
    }

    /** What the batch needs of one payment: its parties, its status and reason, and the batch's size. */
    private record Seen(String from, String to, String status, String reason, String detail, Integer batchSize,
            boolean atomic) {
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public BatchView get(@Auth ApiClient client, @PathParam("batchId") String batchId,
            @QueryParam("offset") String offsetParam, @QueryParam("limit") String limitParam,
            @Context HttpHeaders headers) {
        int limit = Pages.limit(limitParam, LIMIT_DEFAULT, LIMIT_MAX);
        int offset = offset(offsetParam);
        if (!PaymentRequestRules.isPaymentId(batchId)) {
            throw ApiException.invalidField("batchId", "batchId must be a lower-case UUID");
        }
        String authorization = headers.getHeaderString(HttpHeaders.AUTHORIZATION);
        Seen first = seen(BatchIds.paymentId(batchId, 0), client, authorization);
        if (first == null || first.batchSize() == null) {
            throw notFound(batchId);
        }
        int size = first.batchSize();
        Map<String, Integer> counts = new TreeMap<>();
        List<Item> page = new ArrayList<>();
        Failure failure = null;
        Failure timeout = null;
        for (int index = 0; index < size; index++) {
            String paymentId = BatchIds.paymentId(batchId, index);
            Seen payment = index == 0 ? first : seen(paymentId, client, authorization);
            String status = payment == null ? "PENDING" : payment.status();
            counts.merge(status, 1, Integer::sum);
            if (index >= offset && index < offset + limit) {
                page.add(new Item(index, paymentId, status, payment == null ? null : payment.reason()));
            }
            if (payment != null && PaymentStatus.REJECTED.name().equals(payment.status())) {
                if (!RejectionReason.ATOMIC_BATCH_FAILED.name().equals(payment.reason())) {
                    failure = failure != null ? failure : new Failure(index, payment.reason(), payment.detail());
                } else if (payment.detail() != null && payment.detail().contains("timed out")) {
                    timeout = new Failure(null, payment.reason(), payment.detail());
                }
            }
        }
        boolean done = counts.keySet().stream().allMatch(FINAL::contains);
        String status = !done ? "PROCESSING" : !first.atomic() ? "DONE"
                : counts.containsKey(PaymentStatus.REVERSED.name()) ? "PARTIALLY_REVERSED"
                : counts.containsKey(PaymentStatus.COMPLETED.name()) ? "COMPLETED" : "REJECTED";
        return new BatchView(batchId, size, first.atomic(), status, "REJECTED".equals(status)
                ? (timeout != null && failure == null ? timeout : failure) : null, counts, page,
                offset + limit < size ? offset + limit : null);
    }

    /**
     * One payment as its owner sees it: read here, or asked of the owning instance (which checks the caller's key
     * too). Null when it is not known yet.
     *
     * @throws ApiException 404 when the caller may not read it; 503 when its owner cannot answer now
     */
    private Seen seen(String paymentId, ApiClient client, String authorization) {
        Lookup<PaymentState> lookup = router.lookup(store, paymentId, false, false, "/v1/payments/" + paymentId,
                authorization);
        if (lookup instanceof Lookup.Local<PaymentState> local) {
            PaymentState state = local.value();
            if (state == null) {
                return null;
            }
            boolean atomic = Boolean.TRUE.equals(state.getBatchAtomic());
            return visible(client, new Seen(state.getFrom(), state.getTo(), status(state.getStatus().name(), atomic),
                    state.getReason() == null ? null : state.getReason().name(), state.getDetail(),
                    state.getBatchSize(), atomic));
        }
        if (lookup instanceof Lookup.Relayed<PaymentState> relayed && relayed.status() == 200) {
            try {
                JsonNode view = JSON.readTree(relayed.body());
                boolean atomic = view.hasNonNull("batchAtomic") && view.get("batchAtomic").asBoolean();
                return visible(client, new Seen(text(view, "from"), text(view, "to"),
                        status(text(view, "status"), atomic), text(view, "reason"), text(view, "detail"),
                        view.hasNonNull("batchSize") ? view.get("batchSize").asInt() : null, atomic));
            } catch (java.io.IOException e) {
                throw unavailable();
            }
        }
        if (lookup instanceof Lookup.Relayed<PaymentState> relayed && relayed.status() == 404) {
            // Unknown there, or not the caller's to read: a batch is answered only whole.
            return null;
        }
        throw unavailable();
    }

    /**
     * The payment, when the caller may read the account its first leg moves (the payer; the payee of a TOPUP): the
     * batch's client owns every one of them, and nobody else sees the batch.
     *
     * @throws ApiException 404 otherwise
     */
    private static Seen visible(ApiClient client, Seen payment) {
        String firstLeg = payment.from() != null ? payment.from() : payment.to();
        if (!client.mayRead(firstLeg)) {
            throw ApiException.of(404, ApiError.INVALID_REQUEST, "not_found", "no such payment batch", null);
        }
        return payment;
    }

    /**
     * A payment's status as the batch counts it: accepted and not finished is PROCESSING, and so is a payment of an
     * atomic batch whose hold waits for the batch's decision (AUTHORIZED).
     */
    private static String status(String status, boolean atomic) {
        return PaymentStatus.ACCEPTED.name().equals(status)
                || (atomic && PaymentStatus.AUTHORIZED.name().equals(status)) ? "PROCESSING" : status;
    }

    private static String text(JsonNode view, String field) {
        return view.hasNonNull(field) ? view.get(field).asText() : null;
    }

    private static int offset(String offset) {
        if (offset == null) {
            return 0;
        }
        try {
            int value = Integer.parseInt(offset);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.invalidField("offset", "offset must be an integer from 0");
    }

    private static ApiException notFound(String batchId) {
        return ApiException.of(404, ApiError.INVALID_REQUEST, "not_found", "no payment batch " + batchId, null);
    }

    private static ApiException unavailable() {
        return ApiException.unavailable("not_available", "the owner of a payment of this batch cannot answer right "
                + "now; retry", 1);
    }
}
