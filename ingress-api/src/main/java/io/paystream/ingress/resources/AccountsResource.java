package io.paystream.ingress.resources;

import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.Accepted;
import io.paystream.ingress.api.CreateAccountRequest;
import io.paystream.ingress.core.Commands;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code POST /v1/accounts}: writes an OPEN request to Kafka. Opening an existing account with the same parameters is
 * a no-op in the ledger, so retries need no idempotency key.
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
        acknowledgements.answer(async, publisher.publish(Topics.ACCOUNT_REQUESTS, request.getAccountId(), request),
                Accepted.account(request.getAccountId()));
    }
}
