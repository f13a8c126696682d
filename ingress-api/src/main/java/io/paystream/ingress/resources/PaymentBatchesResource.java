package io.paystream.ingress.resources;

import io.dropwizard.auth.Auth;
import io.paystream.ingress.api.AcceptedBatch;
import io.paystream.ingress.api.CreatePaymentBatchRequest;
import io.paystream.ingress.core.Commands;
import io.paystream.ingress.core.PaymentIds;
import io.paystream.ingress.kafka.CommandPublisher;
import io.paystream.schemas.Partitions;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.PaymentBatch;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.validation.PaymentRequestRules;
import io.paystream.web.auth.ApiClient;
import io.paystream.web.auth.Scopes;
import io.paystream.web.errors.ApiException;
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
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/payment-batches}: checks every payment of the batch as {@code POST /v1/payments} checks one (the
 * first invalid one refuses the whole batch, and nothing is written), derives the batch's id and each payment's, and
 * writes the batch to {@code payments.batches.v1} as one record per partition its first legs fall on, so that each
 * ledger task decides and debits its share in one transaction. Answers 202 once every record is acknowledged.
 */
@Path("/v1/payment-batches")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public final class PaymentBatchesResource {
    private final CommandPublisher publisher;
    private final Acknowledgements acknowledgements;
    private final PaymentIds ids;
    private final long minHoldSeconds;

    /** @param minHoldSeconds the shortest hold a manual capture may ask for (PayStreamConfiguration) */
    public PaymentBatchesResource(CommandPublisher publisher, Duration produceTimeout, PaymentIds ids,
            long minHoldSeconds) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.ids = Objects.requireNonNull(ids, "ids");
        this.minHoldSeconds = minHoldSeconds;
        this.acknowledgements = new Acknowledgements(produceTimeout);
    }

    @POST
    @RolesAllowed(Scopes.PAYMENTS_WRITE)
    @Operation(summary = "Submit up to 1,000 payments at once",
            description = "Each payment has the fields and rules of POST /v1/payments. By default each is decided "
                    + "on its own, as if posted alone: an unknown account or insufficient funds is that payment's "
                    + "outcome (REJECTED), not an error of the batch. With atomic:true (TRANSFERs and PAYMENTs, "
                    + "captured automatically) every payment completes or none moves: the payers' money is held, "
                    + "every payee is asked, and the batch either captures every hold or voids them all, each payment "
                    + "then REJECTED with the failing payment's index and reason. Answers 202 with the batch id and every payment's id once Kafka "
                    + "acknowledged the whole batch. The ids are derived from the API client, the Idempotency-Key and "
                    + "each payment's index, so a retried batch is the same payments.",
            responses = {
                @ApiResponse(responseCode = "202", description = "accepted for processing"),
                @ApiResponse(responseCode = "403", description = "a payment from an account the key does not own, or "
                        + "a TOPUP without the funds:write scope; param names the payment's index"),
                @ApiResponse(responseCode = "413", description = "the body is over the batch limit (1 MiB)"),
                @ApiResponse(responseCode = "422", description = "an invalid payment (param payments[i].field), an "
                        + "empty batch or one over 1,000 payments, a TOPUP, WITHDRAWAL or manual capture in an atomic "
                        + "batch, or an invalid Idempotency-Key; "
                        + "nothing is written"),
                @ApiResponse(responseCode = "503", description = "Kafka unavailable; retry with the same key")})
    public void create(@Auth ApiClient client,
            @Parameter(in = ParameterIn.HEADER, required = true) @HeaderParam(Commands.IDEMPOTENCY_KEY)
            String idempotencyKey,
            @NotNull @Valid CreatePaymentBatchRequest body,
            @Suspended AsyncResponse async) {
        boolean atomic = Boolean.TRUE.equals(body.atomic());
        List<PaymentRequest> payments = Commands.batch(ids, client, idempotencyKey, body.payments(), minHoldSeconds,
                atomic);
        String batchId = payments.get(0).getBatchId();
        // Every record of an atomic batch names the same coordinator: the task of payment 0's payer decides it.
        String coordinator = atomic ? payments.get(0).getFrom() : null;
        CompletableFuture<Void> written = publisher.partitionCount(Topics.PAYMENT_BATCHES)
                .thenCompose(partitions -> {
                    List<CompletableFuture<?>> sends = new ArrayList<>();
                    byPartition(payments, partitions).forEach((partition, share) -> {
                        PaymentBatch record = PaymentBatch.newBuilder().setBatchId(batchId)
                                .setClientId(client.clientId()).setIdempotencyKey(idempotencyKey)
                                .setSize(payments.size()).setPayments(share)
                                .setAtomic(atomic).setCoordinator(coordinator).build();
                        // Keyed by an account of this share: the record lands on the partition of its first legs.
                        sends.add(publisher.publish(Topics.PAYMENT_BATCHES,
                                PaymentRequestRules.firstLegAccount(share.get(0)), record));
                    });
                    return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
                });
        List<String> paymentIds = payments.stream().map(PaymentRequest::getPaymentId).toList();
        acknowledgements.answer(async, written, unused -> Response.accepted(AcceptedBatch.of(batchId, paymentIds))
                .type(MediaType.APPLICATION_JSON_TYPE).build());
    }

    /** The payments grouped by the partition of the account their first leg moves, in the batch's order. */
    static Map<Integer, List<PaymentRequest>> byPartition(List<PaymentRequest> payments, int partitions) {
        Map<Integer, List<PaymentRequest>> shares = new TreeMap<>();
        for (PaymentRequest payment : payments) {
            shares.computeIfAbsent(Partitions.of(PaymentRequestRules.firstLegAccount(payment), partitions),
                    partition -> new ArrayList<>()).add(payment);
        }
        return shares;
    }
}
