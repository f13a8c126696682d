package io.paystream.ingress.resources;

import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.Accepted;
import io.paystream.ingress.api.CreatePaymentRequest;
import io.paystream.ingress.core.Commands;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.schemas.Topics;
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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.util.Objects;

/** {@code POST /v1/payments}: validates, derives the payment id, and writes the request to Kafka. */
@Path("/v1/payments")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class PaymentsResource {
    private final CommandPublisher publisher;
    private final Acknowledgements acknowledgements;
    private final PaymentIds ids;

    public PaymentsResource(CommandPublisher publisher, Duration produceTimeout, PaymentIds ids) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.acknowledgements = new Acknowledgements(produceTimeout);
    }

    @POST
    @RolesAllowed(Scopes.PAYMENTS_WRITE)
    @Operation(summary = "Submit a payment",
            description = "Answers 202 once Kafka acknowledged the request. The payment id is derived from the API "
                    + "client and the Idempotency-Key, so a retry with the same key is the same payment.",
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
        PaymentRequest request = Commands.payment(ids, client, idempotencyKey, body);
        acknowledgements.answer(async, publisher.publish(Topics.PAYMENT_REQUESTS, request.getPaymentId(), request),
                Accepted.payment(request.getPaymentId()));
    }
}
