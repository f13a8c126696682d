package io.paystream.ingress.api;

import io.paystream.schemas.avro.AccountType;
import jakarta.validation.constraints.NotNull;

/**
 * The body of {@code POST /v1/accounts}.
 *
 * @param accountId the new account's id
 * @param currency ISO-4217 code the account holds
 * @param type CUSTOMER or MERCHANT
 * @param overdraftLimit minor units the balance may go below zero; 0 when absent
 * @param email the holder's address for email notifications; optional
 */
public record CreateAccountRequest(
        @NotNull String accountId,
        @NotNull String currency,
        @NotNull AccountType type,
        Long overdraftLimit,
        String email) {
}
