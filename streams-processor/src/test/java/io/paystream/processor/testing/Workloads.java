package io.paystream.processor.testing;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.anOpen;

import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.testing.InProcessKafka;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Writes the set-up of load tests straight to the request topics, as a direct producer would. */
public final class Workloads {
    private Workloads() {
    }

    /** Requests {@code count} USD customer accounts named {@code prefix0, prefix1, ...}; returns their ids. */
    public static List<String> openAccounts(InProcessKafka kafka, String prefix, int count) throws Exception {
        List<String> accountIds = new ArrayList<>();
        List<Map.Entry<String, AccountRequest>> opens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String accountId = prefix + i;
            accountIds.add(accountId);
            opens.add(Map.entry(accountId, anOpen(accountId, "USD", AccountType.CUSTOMER).build()));
        }
        kafka.produceAll(Topics.ACCOUNT_REQUESTS, opens);
        return accountIds;
    }

    /**
     * Tops up every account by {@code amount}. Accounts and payments travel on different topics: wait until the
     * accounts exist first, or a top-up may find no account and be rejected.
     */
    public static void topUp(InProcessKafka kafka, List<String> accountIds, long amount) throws Exception {
        List<Map.Entry<String, PaymentRequest>> topUps = new ArrayList<>();
        for (String accountId : accountIds) {
            PaymentRequest topUp = aTopUp(accountId, amount).build();
            topUps.add(Map.entry(topUp.getPaymentId(), topUp));
        }
        kafka.produceAll(Topics.PAYMENT_REQUESTS, topUps);
    }
}
