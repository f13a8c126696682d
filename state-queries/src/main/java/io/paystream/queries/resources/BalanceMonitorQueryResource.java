package io.paystream.queries.resources;

import io.dropwizard.auth.Auth;
import io.paystream.queries.api.BalanceMonitorView;
import io.paystream.schemas.validation.MonitorIds;
import io.paystream.schemas.avro.AccountState;
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
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /v1/balance-monitors?accountId=} (an account's monitors) and {@code GET /v1/balance-monitors/{monitorId}}:
 * read from the account's state in the ledger's store, on the instance that owns it (the id names the account). Needs
 * accounts:read and ownership of the account, like any account read.
 */
@Path("/v1/balance-monitors")
@Produces(MediaType.APPLICATION_JSON)
public final class BalanceMonitorQueryResource {
    private final QueryAnswers answers;
    private final String store;

    BalanceMonitorQueryResource(QueryAnswers answers, String store) {
        this.answers = Objects.requireNonNull(answers, "answers");
        this.store = Objects.requireNonNull(store, "store");
    }

    @GET
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Response list(@Auth ApiClient client, @QueryParam("accountId") String accountId,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        if (accountId == null) {
            throw ApiException.of(400, ApiError.INVALID_REQUEST, "invalid_parameter",
                    "accountId is required: monitors are listed per account", "accountId");
        }
        if (!client.mayRead(accountId)) {
            throw ApiException.notOwned(accountId, "accountId");
        }
        return answers.<AccountState>answer(store, accountId, "account", false, headers, uri, account -> true,
                local -> Map.of("monitors", local.value().getMonitors().stream()
                        .map(monitor -> BalanceMonitorView.of(accountId, monitor)).toList()));
    }

    @GET
    @Path("/{monitorId}")
    @RolesAllowed({Scopes.ACCOUNTS_READ, Scopes.SERVICE_READ})
    public Response get(@Auth ApiClient client, @PathParam("monitorId") String monitorId,
            @Context HttpHeaders headers, @Context UriInfo uri) {
        String missing = "no balance monitor " + monitorId;
        String accountId = MonitorIds.accountOf(monitorId).orElseThrow(() -> ApiException.of(404,
                ApiError.INVALID_REQUEST, "not_found", missing, "monitorId"));
        if (!client.mayRead(accountId)) {
            throw ApiException.notOwned(accountId, "monitorId");
        }
        return answers.<AccountState>answer(store, accountId, "balance monitor", missing, false, headers, uri,
                account -> account.getMonitors().stream().anyMatch(m -> m.getMonitorId().equals(monitorId)),
                local -> BalanceMonitorView.of(accountId, local.value().getMonitors().stream()
                        .filter(m -> m.getMonitorId().equals(monitorId)).findFirst().orElseThrow()));
    }
}
