package io.paystream.processor.ledger;

import io.paystream.schemas.avro.RejectionReason;
import java.util.Objects;

/**
 * Why the ledger refused a command, in the one vocabulary that business refusals and decisions that threw
 * (INTERNAL_ERROR) share. The step it was refused at is the refused command's type (DEBIT, CREDIT, OPEN, ...);
 * {@link Compensations} turns the pair into what the ledger emits.
 *
 * @param reason the reason that travels on events and journal entries
 * @param detail a readable explanation
 */
public record Rejection(RejectionReason reason, String detail) {
    public Rejection {
        Objects.requireNonNull(reason, "reason");
    }
}
