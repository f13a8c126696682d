package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.api.AccountView;
import io.paystream.schemas.avro.AccountState;
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

/** {@code GET /v1/accounts/{accountId}}: the balance as the ledger's store holds it. Needs accounts:read and ownership. */
@Path("/v1/accounts/{accountId}")
@Produces(MediaType.APPLICATION_JSON)
public final class AccountQueryResource {
    private final QueryAnswers answers;
    private final String store;

    AccountQueryResource(QueryAnswers answers, String store) {
        this.answers = Objects.requireNonNull(answers, "answers");
        this.store = Objects.requireNonNull(store, "store");
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Response get(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @QueryParam("stale") boolean stale, @Context HttpHeaders headers, @Context UriInfo uri) {
        if (!client.mayRead(accountId)) {
            throw ApiException.notOwned(accountId, "accountId");
        }
        return answers.<AccountState>answer(store, accountId, "account", stale, headers, uri, account -> true,
                local -> AccountView.of(local.value(), local.stale()));
    }
}
