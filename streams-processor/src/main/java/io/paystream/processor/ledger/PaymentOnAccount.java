package io.paystream.processor.ledger;

import io.paystream.schemas.avro.CardTopUp;
import io.paystream.schemas.avro.HoldState;

/**
 * What a ledger task keeps about a command's payment on the command's account, read before the command is decided, so
 * that {@link LedgerRules#decide} stays a pure function of what it is given.
 *
 * @param hold the payment's open hold on this account (from the holds store), or null
 * @param refunded what the payment's refunds have taken from this account, the payee ({@code refunded-amounts}); 0
 *     before any
 * @param refundApplied true when the command's refund (its action id) was applied on this account before
 *     ({@code applied-refunds}), at whatever age: a refund id is applied once
 * @param cardTopUp the card top-up's charge on its payee's task ({@code card-top-ups}), or null
 */
public record PaymentOnAccount(HoldState hold, long refunded, boolean refundApplied, CardTopUp cardTopUp) {
    /** Nothing is kept about the payment on this account. */
    public static final PaymentOnAccount NONE = new PaymentOnAccount(null, 0, false, null);
}
