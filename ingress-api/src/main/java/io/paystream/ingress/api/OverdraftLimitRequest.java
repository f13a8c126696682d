package io.paystream.ingress.api;

import jakarta.validation.constraints.NotNull;

/**
 * The body of {@code PUT /v1/accounts/{accountId}/overdraft-limit}.
 *
 * @param overdraftLimit minor units the balance may go below zero from now on
 */
public record OverdraftLimitRequest(@NotNull Long overdraftLimit) {
}
