package io.paystream.processor.ledger;

import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.RejectionReason;
import java.util.Objects;

/**
 * The ledger refused a command: at which step (the command's type: DEBIT, CREDIT, REVERSAL, OPEN, ...), why, and a
 * sentence for people. Business refusals and decisions that threw (INTERNAL_ERROR) use this one vocabulary, and
 * {@link Compensations} turns either into what the ledger emits.
 *
 * @param step the command the ledger refused
 * @param reason the reason that travels on events and journal entries
 * @param detail a readable explanation
 */
public record Rejection(LedgerCommandType step, RejectionReason reason, String detail) {
    public Rejection {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(reason, "reason");
    }
}
