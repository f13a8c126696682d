package io.paystream.processor.testing;

import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountStatus;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.LedgerCommandType;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentType;
import java.util.Map;
import java.util.UUID;

/** Builders for test inputs, pre-filled with valid values so that each test states only what it is about. */
public final class Fixtures {
    private Fixtures() {
    }

    /** A deterministic payment id from a label, so that test output is stable. */
    public static String paymentId(String label) {
        return UUID.nameUUIDFromBytes(label.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    /** A deterministic id in the form of a random (version 4) UUID, the only kind a direct producer may use. */
    public static String randomPaymentId(String label) {
        String id = paymentId(label);
        return id.substring(0, 14) + '4' + id.substring(15);
    }

    /** An action on {@code paymentId} with a deterministic id from {@code label}. */
    public static PaymentAction.Builder anAction(ActionType type, String paymentId, String label) {
        return PaymentAction.newBuilder()
                .setActionId(paymentId(type + ":" + paymentId + ":" + label))
                .setPaymentId(paymentId)
                .setType(type)
                .setClientId("tests")
                .setIdempotencyKey(label);
    }

    public static PaymentRequest.Builder aTransfer(String from, String to, long amount) {
        return aPayment(PaymentType.TRANSFER, from, to, amount);
    }

    public static PaymentRequest.Builder aTopUp(String to, long amount) {
        return aPayment(PaymentType.TOPUP, null, to, amount);
    }

    public static PaymentRequest.Builder aWithdrawal(String from, long amount) {
        return aPayment(PaymentType.WITHDRAWAL, from, null, amount);
    }

    public static PaymentRequest.Builder aPayment(PaymentType type, String from, String to, long amount) {
        return PaymentRequest.newBuilder()
                .setPaymentId(paymentId(type + ":" + from + ":" + to + ":" + amount))
                .setType(type)
                .setFrom(from)
                .setTo(to)
                .setAmount(amount)
                .setCurrency("USD")
                .setReference("test")
                .setMetadata(Map.of())
                .setClientId("tests");
    }

    public static AccountRequest.Builder anAccountRequest(AccountCommandType command, String accountId) {
        return AccountRequest.newBuilder()
                .setRequestId(command + ":" + accountId)
                .setAccountId(accountId)
                .setCommand(command);
    }

    public static AccountRequest.Builder anOpen(String accountId, String currency, AccountType type) {
        return anAccountRequest(AccountCommandType.OPEN, accountId)
                .setRequestId("open:" + accountId + ":" + currency + ":" + type)
                .setCurrency(currency)
                .setAccountType(type)
                .setOverdraftLimit(0L);
    }

    public static AccountState.Builder anAccount(String accountId) {
        return AccountState.newBuilder()
                .setAccountId(accountId)
                .setCurrency("USD")
                .setType(AccountType.CUSTOMER)
                .setStatus(AccountStatus.ACTIVE)
                .setBalance(0)
                .setHeld(0)
                .setOverdraftLimit(0)
                .setEntrySeq(0)
                .setOpenedAtMs(0)
                .setUpdatedAtMs(0);
    }

    /** A payment leg as intake or the ledger would write it. */
    public static LedgerCommand.Builder aLeg(LedgerCommandType type, PaymentType paymentType, String from, String to,
            long amount) {
        String paymentId = paymentId("leg:" + paymentType + ":" + from + ":" + to + ":" + amount);
        String accountId = type == LedgerCommandType.CREDIT || type == LedgerCommandType.CARD_CHARGE ? to : from;
        return LedgerCommand.newBuilder()
                .setCommandId(paymentId + ":" + type)
                .setType(type)
                .setAccountId(accountId)
                .setPaymentId(paymentId)
                .setPaymentType(paymentType)
                .setFrom(from)
                .setTo(to)
                .setAmount(amount)
                .setCurrency("USD")
                .setRequestedAtMs(1_000);
    }

    /** An account command as account intake would write it. */
    public static LedgerCommand.Builder anAccountCommand(LedgerCommandType type, String accountId) {
        return LedgerCommand.newBuilder()
                .setCommandId("cmd:" + type + ":" + accountId)
                .setType(type)
                .setAccountId(accountId)
                .setCurrency("USD")
                .setAccountType(AccountType.CUSTOMER)
                .setOverdraftLimit(0L)
                .setRequestedAtMs(1_000);
    }
}
