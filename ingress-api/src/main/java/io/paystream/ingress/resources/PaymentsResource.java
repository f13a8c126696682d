package io.paystream.ingress.resources;

import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.Accepted;
import io.paystream.ingress.api.CaptureRequest;
import io.paystream.ingress.api.CreatePaymentRequest;
import io.paystream.ingress.api.RefundRequest;
import io.paystream.ingress.core.Commands;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.ingress.lookup.PaymentLookup;
import io.paystream.schemas.RefundIds;
import io.paystream.schemas.Topics;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Objects;

/**
 * {@code POST /v1/payments}: validates, derives the payment id, and writes the request to Kafka. Capture and void of
 * an authorized payment, and refunds of a completed one, look the payment up first, to check that the key owns its
 * payer (capture, void) or its payee (refund), then write the action.
 */
@Path("/v1/payments")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class PaymentsResource {
    private final CommandPublisher publisher;
    private final Acknowledgements acknowledgements;
    private final PaymentIds ids;

    private final PaymentLookup lookup;

    private final long minHoldSeconds;

    /** @param minHoldSeconds the shortest hold a manual capture may ask for (PayStreamConfiguration) */
    public PaymentsResource(CommandPublisher publisher, Duration produceTimeout, PaymentIds ids,
            PaymentLookup lookup, long minHoldSeconds) {
        this.minHoldSeconds = minHoldSeconds;
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.acknowledgements = new Acknowledgements(produceTimeout);
    }

    @POST
    @RolesAllowed(Scopes.PAYMENTS_WRITE)
    @Operation(summary = "Submit a payment",
            description = "Answers 202 once Kafka acknowledged the request. The payment id is derived from the API "
                    + "client, the payer (the payee of a TOPUP) and the Idempotency-Key, so a retry with the same key "
                    + "for the same payer is the same payment.",
            responses = {
                @ApiResponse(responseCode = "202", description = "accepted for processing"),
                @ApiResponse(responseCode = "403", description = "an account the key does not own, or a TOPUP "
                        + "without the funds:write scope"),
                @ApiResponse(responseCode = "422", description = "invalid body or Idempotency-Key"),
                @ApiResponse(responseCode = "503", description = "Kafka unavailable; not accepted")})
    public void create(@Auth ApiClient client,
            @Parameter(in = ParameterIn.HEADER, required = true) @HeaderParam(Commands.IDEMPOTENCY_KEY)
            String idempotencyKey,
            @NotNull @Valid CreatePaymentRequest body,
            @Suspended AsyncResponse async) {
        PaymentRequest request = Commands.payment(ids, client, idempotencyKey, body, minHoldSeconds);
        // Keyed by the account its first leg moves, whose ledger task then decides it and moves that leg in one step.
        acknowledgements.answer(async, publisher.publish(Topics.PAYMENT_REQUESTS,
                PaymentRequestRules.firstLegAccount(request), request), Accepted.payment(request.getPaymentId()));
    }

    @POST
    @Path("/{paymentId}/capture")
    @RolesAllowed(Scopes.PAYMENTS_WRITE)
    @Operation(summary = "Capture an authorized payment",
            description = "Debits the payer by the amount (the whole authorization when absent) and credits the "
                    + "payee; the rest of the hold is released. One capture per authorization. Answers 202 once "
                    + "Kafka has the action; the payment then ends COMPLETED with capturedAmount, or an event "
                    + "CAPTURE_FAILED says why not.",
            responses = {
                @ApiResponse(responseCode = "202", description = "accepted for processing"),
                @ApiResponse(responseCode = "403", description = "the key does not own the payment's payer"),
                @ApiResponse(responseCode = "404", description = "no such payment"),
                @ApiResponse(responseCode = "422", description = "invalid payment id, amount or Idempotency-Key"),
                @ApiResponse(responseCode = "503", description = "the payment or Kafka is unavailable now")})
    public void capture(@Auth ApiClient client, @PathParam("paymentId") String paymentId,
            @Parameter(in = ParameterIn.HEADER, required = true) @HeaderParam(Commands.IDEMPOTENCY_KEY)
            String idempotencyKey,
            @Valid CaptureRequest body,
            @Suspended AsyncResponse async) {
        act(client, paymentId, idempotencyKey, ActionType.CAPTURE, body == null ? null : body.amount(), async);
    }

    @POST
    @Path("/{paymentId}/void")
    @RolesAllowed(Scopes.PAYMENTS_WRITE)
    @Operation(summary = "Void an authorized payment",
            description = "Releases the whole hold; the payment ends VOIDED, or an event VOID_FAILED says why not.")
    public void voidPayment(@Auth ApiClient client, @PathParam("paymentId") String paymentId,
            @Parameter(in = ParameterIn.HEADER, required = true) @HeaderParam(Commands.IDEMPOTENCY_KEY)
            String idempotencyKey,
            @Suspended AsyncResponse async) {
        act(client, paymentId, idempotencyKey, ActionType.VOID, null, async);
    }

    @POST
    @Path("/{paymentId}/refunds")
    @RolesAllowed(Scopes.PAYMENTS_WRITE)
    @Operation(summary = "Refund a completed payment, in part or in full",
            description = "Debits the payee by the amount and credits the payer. Several refunds of one payment are "
                    + "allowed; together they never exceed what it completed with (its captured amount after a "
                    + "capture). Answers 202 with a refundId once Kafka has the refund; it then ends SUCCEEDED, or "
                    + "FAILED with a reason (PAYMENT_NOT_COMPLETED, EXCEEDS_REFUNDABLE, INSUFFICIENT_FUNDS, "
                    + "ACCOUNT_INACTIVE...), as GET /v1/refunds/{refundId} on the query API shows.",
            responses = {
                @ApiResponse(responseCode = "202", description = "accepted for processing"),
                @ApiResponse(responseCode = "403", description = "the key does not own the payment's payee"),
                @ApiResponse(responseCode = "404", description = "no such payment"),
                @ApiResponse(responseCode = "422", description = "invalid payment id, amount, reason or "
                        + "Idempotency-Key"),
                @ApiResponse(responseCode = "503", description = "the payment or Kafka is unavailable now")})
    public void refund(@Auth ApiClient client, @PathParam("paymentId") String paymentId,
            @Parameter(in = ParameterIn.HEADER, required = true) @HeaderParam(Commands.IDEMPOTENCY_KEY)
            String idempotencyKey,
            @NotNull @Valid RefundRequest body,
            @Suspended AsyncResponse async) {
        PaymentAction refund = Commands.refund(ids, client, idempotencyKey, paymentId, body.amount(), body.reason(),
                lookup::find);
        acknowledgements.answer(async, publisher.publish(Topics.PAYMENT_ACTIONS, refund.getPaymentId(), refund),
                Accepted.refund(refund.getPaymentId(), refund.getActionId(),
                        RefundIds.of(refund.getPaymentId(), refund.getActionId())));
    }

    private void act(ApiClient client, String paymentId, String idempotencyKey, ActionType type, Long amount,
            AsyncResponse async) {
        PaymentAction action = Commands.action(ids, client, idempotencyKey, paymentId, type, amount, lookup::find);
        acknowledgements.answer(async, publisher.publish(Topics.PAYMENT_ACTIONS, action.getPaymentId(), action),
                Accepted.action(action.getPaymentId(), action.getActionId()));
    }
}
