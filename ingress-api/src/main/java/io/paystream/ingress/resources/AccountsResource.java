package io.paystream.ingress.resources;

import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.Accepted;
import io.paystream.ingress.api.CreateAccountRequest;
import io.paystream.ingress.api.OverdraftLimitRequest;
import io.paystream.ingress.core.Commands;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code POST /v1/accounts} and the lifecycle of an account: each writes one request to {@code accounts.requests.v1}
 * and answers 202 once Kafka acknowledged it; the outcome is the account's status (and, if refused, a journal entry).
 * Every account command is idempotent in the ledger (opening with the same parameters, freezing a frozen account,
 * closing a closed one, setting the same limit), so retries need no idempotency key.
 */
@Path("/v1/accounts")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class AccountsResource {
    private final CommandPublisher publisher;
    private final Acknowledgements acknowledgements;

    public AccountsResource(CommandPublisher publisher, Duration produceTimeout) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.acknowledgements = new Acknowledgements(produceTimeout);
    }

    @POST
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Open an account", description = "Answers 202 once Kafka acknowledged the request. An "
            + "overdraftLimit above zero is credit and needs the credit:write scope (403 otherwise).")
    public void open(@Auth ApiClient client, @NotNull @Valid CreateAccountRequest body,
            @Suspended AsyncResponse async) {
        AccountRequest request = Commands.openAccount(client, UUID.randomUUID().toString(), body);
        publish(request, async);
    }

    @POST
    @Path("/{accountId}/freeze")
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Freeze an account", description = "No debits or credits until it is unfrozen; reversals "
            + "of its payments in flight still apply.")
    public void freeze(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @Suspended AsyncResponse async) {
        publish(Commands.accountCommand(client, UUID.randomUUID().toString(), accountId, AccountCommandType.FREEZE,
                null), async);
    }

    @POST
    @Path("/{accountId}/unfreeze")
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Unfreeze an account", description = "Admin only: the freeze may be an operator's.")
    public void unfreeze(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @Suspended AsyncResponse async) {
        publish(Commands.accountCommand(client, UUID.randomUUID().toString(), accountId, AccountCommandType.UNFREEZE,
                null), async);
    }

    @POST
    @Path("/{accountId}/close")
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Close an account", description = "Only an empty account closes. It shows CLOSING until "
            + "every payment it had in flight has settled, then CLOSED; if money came back meanwhile, the close is "
            + "refused and the account stays as it was.")
    public void close(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @Suspended AsyncResponse async) {
        publish(Commands.accountCommand(client, UUID.randomUUID().toString(), accountId, AccountCommandType.CLOSE,
                null), async);
    }

    @PUT
    @Path("/{accountId}/overdraft-limit")
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Change the overdraft limit", description = "Credit: needs the credit:write scope (403 "
            + "naming overdraftLimit otherwise). A limit below what the account already owes is refused.")
    public void setOverdraftLimit(@Auth ApiClient client, @PathParam("accountId") String accountId,
            @NotNull @Valid OverdraftLimitRequest body, @Suspended AsyncResponse async) {
        publish(Commands.accountCommand(client, UUID.randomUUID().toString(), accountId,
                AccountCommandType.SET_LIMIT, body.overdraftLimit()), async);
    }

    private void publish(AccountRequest request, AsyncResponse async) {
        acknowledgements.answer(async, publisher.publish(Topics.ACCOUNT_REQUESTS, request.getAccountId(), request),
                Accepted.account(request.getAccountId()));
    }
}
