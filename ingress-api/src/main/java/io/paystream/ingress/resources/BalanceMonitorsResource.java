package io.paystream.ingress.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.CreateBalanceMonitorRequest;
import io.paystream.ingress.core.Commands;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.ingress.lookup.PaymentLookup;
import io.paystream.schemas.validation.MonitorIds;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.BalanceField;
import io.paystream.schemas.avro.BalanceMonitor;
import io.paystream.schemas.avro.ThresholdOperator;
import io.paystream.schemas.validation.Money;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiError;
import io.paystream.web.errors.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code POST /v1/balance-monitors} and {@code DELETE /v1/balance-monitors/{monitorId}}: each writes one request to
 * {@code accounts.requests.v1}, for the account's ledger task, and answers 202 once Kafka acknowledged it. The monitor
 * then shows on {@code GET /v1/balance-monitors/{monitorId}} of the query API. A POST needs an Idempotency-Key, from
 * which the monitor id is derived: a retry adds nothing new. Both need accounts:write and ownership of the account;
 * the account must exist and be open (looked up on the query API), and holds at most 10 monitors.
 */
@Path("/v1/balance-monitors")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class BalanceMonitorsResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RETRY_AFTER_SECONDS = 1;

    private final CommandPublisher publisher;
    private final Acknowledgements acknowledgements;
    private final PaymentIds ids;
    private final PaymentLookup queryApi;

    public BalanceMonitorsResource(CommandPublisher publisher, Duration produceTimeout, PaymentIds ids,
            PaymentLookup queryApi) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.acknowledgements = new Acknowledgements(produceTimeout);
        this.ids = Objects.requireNonNull(ids, "ids");
        this.queryApi = Objects.requireNonNull(queryApi, "queryApi");
    }

    @POST
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Add a balance monitor", description = "Tell me when the account's balance or available "
            + "crosses a threshold: one balance.threshold_crossed event per crossing, by webhook and on "
            + "accounts.balance-events.v1.")
    public void create(@Auth ApiClient client, @HeaderParam(Commands.IDEMPOTENCY_KEY) String idempotencyKey,
            CreateBalanceMonitorRequest body, @Suspended AsyncResponse async) {
        Commands.checkIdempotencyKey(idempotencyKey);
        if (body == null) {
            throw ApiException.invalidField("accountId", "a JSON body {accountId, field, operator, amount} is required");
        }
        if (!Money.isAccountId(body.accountId())) {
            throw ApiException.invalidField("accountId", "accountId must match " + Money.ACCOUNT_ID.pattern());
        }
        BalanceField field = parse(BalanceField.class, body.field(), "field", "balance or available");
        ThresholdOperator operator = parse(ThresholdOperator.class, body.operator(), "operator",
                "lt, lte, gt or gte");
        if (body.amount() == null || Math.abs(body.amount()) > Money.MAX_AMOUNT_MINOR) {
            throw ApiException.invalidField("amount", "amount must be an integer of minor units between -"
                    + Money.MAX_AMOUNT_MINOR + " and " + Money.MAX_AMOUNT_MINOR);
        }
        if (!client.owns(body.accountId())) {
            throw ApiException.notOwned(body.accountId(), "accountId");
        }
        checkOpen(body.accountId());
        String monitorId = MonitorIds.of(ids.deriveMonitor(client.clientId(), body.accountId(), idempotencyKey),
                body.accountId());
        AccountRequest request = Commands.accountRequest(AccountRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setAccountId(body.accountId())
                .setCommand(AccountCommandType.ADD_MONITOR)
                .setClientId(client.clientId())
                .setMonitor(BalanceMonitor.newBuilder().setMonitorId(monitorId).setClientId(client.clientId())
                        .setField(field).setOperator(operator).setAmount(body.amount()).build())
                .build());
        publish(request, monitorId, async);
    }

    @DELETE
    @Path("/{monitorId}")
    @RolesAllowed(Scopes.ACCOUNTS_WRITE)
    @Operation(summary = "Remove a balance monitor", description = "Idempotent: removing a removed monitor is a "
            + "no-op.")
    public void delete(@Auth ApiClient client, @PathParam("monitorId") String monitorId,
            @Suspended AsyncResponse async) {
        String accountId = MonitorIds.accountOf(monitorId).orElseThrow(() -> ApiException.of(404,
                ApiError.INVALID_REQUEST, "not_found", "no balance monitor " + monitorId, "monitorId"));
        if (!client.owns(accountId)) {
            throw ApiException.notOwned(accountId, "monitorId");
        }
        publish(Commands.accountRequest(AccountRequest.newBuilder()
                .setRequestId(UUID.randomUUID().toString())
                .setAccountId(accountId)
                .setCommand(AccountCommandType.REMOVE_MONITOR)
                .setClientId(client.clientId())
                .setMonitorId(monitorId)
                .build()), monitorId, async);
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, String field, String allowed) {
        try {
            if (value != null) {
                return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
            }
        } catch (IllegalArgumentException e) {
            // Falls through to the 422 below, which names the field and what it takes.
        }
        throw ApiException.invalidField(field, field + " must be " + allowed);
    }

    /** The account exists and is not closed, as its owner's processor says now. */
    private void checkOpen(String accountId) {
        ApiException unavailable = ApiException.unavailable("account_lookup_unavailable", "the account cannot be "
                + "looked up now; retry with the same Idempotency-Key", RETRY_AFTER_SECONDS);
        var response = queryApi.get("/v1/accounts/" + accountId, unavailable);
        if (response.statusCode() == 404) {
            throw ApiException.of(404, ApiError.INVALID_REQUEST, "not_found", "no account " + accountId,
                    "accountId");
        }
        if (response.statusCode() != 200) {
            throw unavailable;
        }
        try {
            JsonNode account = JSON.readTree(response.body());
            if ("CLOSED".equals(account.path("status").asText())) {
                throw ApiException.invalidField("accountId", "account " + accountId + " is CLOSED");
            }
        } catch (IOException e) {
            throw unavailable;
        }
    }

    private void publish(AccountRequest request, String monitorId, AsyncResponse async) {
        acknowledgements.answer(async, publisher.publish(Topics.ACCOUNT_REQUESTS, request.getAccountId(), request),
                metadata -> Response.accepted(Map.of("monitorId", monitorId, "accountId", request.getAccountId(),
                        "status", "PENDING")).type(MediaType.APPLICATION_JSON_TYPE).build());
    }
}
