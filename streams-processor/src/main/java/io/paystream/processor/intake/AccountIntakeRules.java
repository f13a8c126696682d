package io.paystream.processor.intake;

import io.paystream.processor.core.Emissions;
import io.paystream.processor.core.PaymentRecords;
import io.paystream.processor.ledger.AccountQuota;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.RejectionReason;
import io.paystream.schemas.validation.AccountRequestRules;
import io.paystream.schemas.validation.Violation;
import java.util.Optional;

/**
 * Account intake as a pure function: a valid request becomes a ledger command for the account's own ledger task; an
 * invalid one is journalled as an INVALID_REQUEST rejection. A client's OPEN goes first to the task that counts its
 * accounts (OPEN_QUOTA). No state: the ledger makes repeats harmless.
 */
public final class AccountIntakeRules {
    private AccountIntakeRules() {
    }

    /** What to emit for {@code request}, received at {@code nowMs}. */
    public static Emissions decide(AccountRequest request, long nowMs) {
        Optional<Violation> violation = AccountRequestRules.validate(request);
        if (violation.isPresent()) {
            return Emissions.builder().audit(PaymentRecords.accountEntry(request.getRequestId(),
                    request.getAccountId(), request.getCurrency(), AuditKind.REJECTION, RejectionReason.INVALID_REQUEST,
                    violation.get().toString(), nowMs)).build();
        }
        boolean opening = request.getCommand() == AccountCommandType.OPEN;
        Long limit = opening && request.getOverdraftLimit() == null ? Long.valueOf(0) : request.getOverdraftLimit();
        // A client's OPEN goes through its quota of accounts first, on the one task that counts them.
        boolean counted = opening && request.getClientId() != null;
        return Emissions.builder().leg(LedgerCommand.newBuilder()
                .setCommandId(request.getRequestId())
                .setType(counted ? LedgerCommandType.OPEN_QUOTA
                        : LedgerCommandType.valueOf(request.getCommand().name()))
                .setAccountId(counted ? AccountQuota.key(request.getClientId()) : request.getAccountId())
                .setTo(counted ? request.getAccountId() : null)
                .setClientId(opening ? request.getClientId() : null)
                .setCurrency(request.getCurrency())
                .setAccountType(request.getAccountType())
                .setOverdraftLimit(limit)
                .setEmail(opening ? request.getEmail() : null)
                .setMonitor(request.getMonitor())
                .setMonitorId(request.getMonitorId())
                .setRequestedAtMs(nowMs)
                .build()).build();
    }
}
