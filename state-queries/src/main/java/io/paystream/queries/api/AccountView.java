package io.paystream.queries.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.paystream.schemas.avro.AccountState;

/**
 * {@code GET /v1/accounts/{accountId}}. Amounts are minor units; {@code available} is what a debit may take now
 * (balance, minus holds, plus the overdraft limit). {@code stale} appears, set to true, only on a standby read.
 * {@code status} is ACTIVE, FROZEN or CLOSED, or CLOSING while a CLOSE waits for the account's payments in flight
 * (it takes no debits or credits meanwhile, and ends CLOSED, or back where it was if money came back).
 * {@code email}, the holder's address for email notifications, appears only when the account has one.
 */
public record AccountView(String accountId, String currency, String type, String status, long balance,
        long available, long held, long entrySeq, @JsonInclude(JsonInclude.Include.NON_NULL) String email,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean stale) {

    public static AccountView of(AccountState state, boolean stale) {
        return new AccountView(state.getAccountId(), state.getCurrency(), state.getType().name(),
                state.getClosing() != null ? "CLOSING" : state.getStatus().name(), state.getBalance(),
                state.getBalance() - state.getHeld() + state.getOverdraftLimit(), state.getHeld(),
                state.getEntrySeq(), state.getEmail(), stale ? Boolean.TRUE : null);
    }
}
