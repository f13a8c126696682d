package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.api.RefundView;
import io.paystream.schemas.RefundIds;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.RefundState;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
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
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code GET /v1/refunds/{refundId}}: one refund. A refund lives with its payment, and its id carries the payment's
 * ({@link RefundIds}), so the lookup routes to the payment's owner like {@code GET /v1/payments/{paymentId}}, with the
 * same visibility: accounts:read and ownership of the payer or the payee, else 404.
 */
@Path("/v1/refunds/{refundId}")
@Produces(MediaType.APPLICATION_JSON)
public final class RefundQueryResource {
    private final QueryAnswers answers;
    private final String store;

    RefundQueryResource(QueryAnswers answers, String store) {
        this.answers = Objects.requireNonNull(answers, "answers");
        this.store = Objects.requireNonNull(store, "store");
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Response get(@Auth ApiClient client, @PathParam("refundId") String refundId,
            @QueryParam("stale") boolean stale, @Context HttpHeaders headers, @Context UriInfo uri) {
        RefundIds.Parts parts = RefundIds.parse(refundId).orElseThrow(() -> ApiException.invalidField("refundId",
                "refundId must be an id that POST /v1/payments/{paymentId}/refunds answered with (rf_...)"));
        return answers.<PaymentState>answer(store, parts.paymentId(), "refund", "no refund " + refundId, stale, headers, uri,
                payment -> (client.mayRead(payment.getFrom()) || client.mayRead(payment.getTo()))
                        && refund(payment, parts.actionId()).isPresent(),
                local -> RefundView.of(local.value(), refund(local.value(), parts.actionId()).orElseThrow()));
    }

    private static Optional<RefundState> refund(PaymentState payment, String actionId) {
        return payment.getRefunds().stream().filter(refund -> refund.getActionId().equals(actionId)).findFirst();
    }
}
