package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.api.PaymentView;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
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

/**
 * {@code GET /v1/payments/{paymentId}}: a payment's status. Needs accounts:read and ownership of its payer or payee;
 * a payment the caller may not see is answered 404, like an unknown one, so ids cannot be probed.
 */
@Path("/v1/payments/{paymentId}")
@Produces(MediaType.APPLICATION_JSON)
public final class PaymentQueryResource {
    private final QueryAnswers answers;
    private final String store;

    PaymentQueryResource(QueryAnswers answers, String store) {
        this.answers = Objects.requireNonNull(answers, "answers");
        this.store = Objects.requireNonNull(store, "store");
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Response get(@Auth ApiClient client, @PathParam("paymentId") String paymentId,
            @QueryParam("stale") boolean stale, @Context HttpHeaders headers, @Context UriInfo uri) {
        return answers.<PaymentState>answer(store, paymentId, "payment", stale, headers, uri,
                payment -> client.mayRead(payment.getFrom()) || client.mayRead(payment.getTo()),
                local -> PaymentView.of(local.value(), local.stale()));
    }
}
