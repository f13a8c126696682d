package io.paystream.ingress.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The body of {@code POST /v1/payment-batches}: 1 to 1,000 payments, each with the fields and rules of
 * {@code POST /v1/payments}. Each payment is decided on its own, as if posted alone, unless the batch is atomic.
 *
 * @param payments the payments, in order; a payment's index in this list is part of its id
 * @param atomic true when every payment must complete or none may move; false or absent for independent payments
 */
public record CreatePaymentBatchRequest(@NotNull List<@NotNull @Valid CreatePaymentRequest> payments, Boolean atomic) {
}
