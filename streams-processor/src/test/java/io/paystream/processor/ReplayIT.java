package io.paystream.processor;

import static io.paystream.processor.testing.Fixtures.aTopUp;
import static io.paystream.processor.testing.Fixtures.aTransfer;
import static io.paystream.processor.testing.Fixtures.anOpen;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.processor.ledger.AccountQuota;
import io.paystream.processor.ledger.LedgerTopology;
import io.paystream.processor.replay.Replay;
import io.paystream.processor.stats.StatsScopes;
import io.paystream.processor.status.PaymentStatusTopology;
import io.paystream.processor.testing.Fixtures;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.processor.topology.PaymentsTopology;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountState;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentState;
import io.paystream.schemas.avro.PaymentStatus;
import io.paystream.testing.InProcessKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replay before deploy on a real broker: the live processor decides a workload of account opens (within a client's
 * quota of 5), top-ups, transfers, a transfer to a missing account and an open hold; a replay of its requests under a
 * shadow application id, with the live settings, decides every account and payment as live did; the same replay with
 * a rule changed (the client's quota lowered to 3) reports exactly the accounts and payments the change affects.
 */
class ReplayIT {
    private static final Duration SETTLE = Duration.ofSeconds(90);
    private static InProcessKafka kafka;
    private static DropwizardTestSupport<ProcessorConfiguration> app;

    @BeforeAll
    static void start() throws Exception {
        kafka = InProcessKafka.start();
        app = ProcessorUnderTest.on(kafka.bootstrapServers(),
                ConfigOverride.config("streams.applicationId", "paystream-replay-it"),
                ConfigOverride.config("streams.accountQuotas.acme", "5"));
        app.before();
        await().atMost(SETTLE).until(() -> app.<ProcessorApplication>getApplication().streams().streams().state()
                == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.after();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A replay with the live settings, except acme's quota of accounts when {@code acmeQuota} is set. */
    private Replay replay(Long acmeQuota) {
        ProcessorConfiguration configuration = app.getConfiguration();
        PaymentsTopology.Settings live = configuration.getStreams().topologySettings(List.of(),
                new StatsScopes(configuration.clients()), configuration.getMinHoldSeconds());
        AccountQuota quota = acmeQuota == null ? live.accountQuota()
                : new AccountQuota(live.accountQuota().perClient(), Map.of("acme", acmeQuota));
        PaymentsTopology.Settings settings = new PaymentsTopology.Settings(live.directProducers(),
                live.idempotencyWindow(), live.cardTopUpRetention(), quota, live.minHoldSeconds(),
                live.statsScopes());
        return new Replay(configuration.getKafka(), "paystream-replay-it", settings, Replay.REQUEST_TOPICS, (short) 1,
                Duration.ofMinutes(2), false);
    }

    @Test
    void aReplayDecidesHistoryAsLiveDidAndReportsWhatAChangedRuleAffects() throws Exception {
        // Three accounts, then two more once those are open: which accounts a lower quota refuses is then decided
        // by time, not by a race between requests in flight together.
        open(0, 1, 2);
        open(3, 4);
        List<PaymentRequest> topUps = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            topUps.add(aTopUp("acme-" + i, 1_000).setPaymentId(Fixtures.paymentId("replay-topup-" + i)).build());
        }
        settle(topUps);
        // Each payer spends from its own top-up only, so that no outcome depends on when a credit arrives.
        List<PaymentRequest> payments = List.of(
                aTransfer("acme-0", "acme-3", 300).setPaymentId(Fixtures.paymentId("replay-0-3")).build(),
                aTransfer("acme-1", "acme-4", 200).setPaymentId(Fixtures.paymentId("replay-1-4")).build(),
                aTransfer("acme-2", "acme-0", 100).setPaymentId(Fixtures.paymentId("replay-2-0")).build(),
                aTransfer("acme-3", "acme-nobody", 10).setPaymentId(Fixtures.paymentId("replay-3-x")).build(),
                aTransfer("acme-2", "acme-1", 400).setPaymentId(Fixtures.paymentId("replay-hold"))
                        .setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(3_600L).build());
        settle(payments);
        assertThat(payment("replay-3-x").getStatus()).isEqualTo(PaymentStatus.REVERSED);
        assertThat(payment("replay-hold").getStatus()).isEqualTo(PaymentStatus.AUTHORIZED);

        Replay.Report same = replay(null).run();
        assertThat(same.differences()).as("this build, the live settings").isEmpty();
        assertThat(same.accounts()).isEqualTo(5);
        assertThat(same.payments()).isGreaterThanOrEqualTo(9);
        assertThat(same.requests()).isGreaterThanOrEqualTo(14);

        Replay.Report changed = replay(3L).run();
        Set<String> accounts = new TreeSet<>();
        Set<String> paymentIds = new TreeSet<>();
        for (String difference : changed.differences()) {
            String subject = difference.substring(difference.indexOf(' ') + 1, difference.indexOf(':'));
            (difference.startsWith("account ") ? accounts : paymentIds).add(subject);
        }
        System.out.println("replay with acme's quota at 3:\n  " + String.join("\n  ", changed.differences()));
        // acme-3 and acme-4, opened last, are not opened; acme-0 and acme-1 keep what they sent them; acme-2 is
        // untouched.
        assertThat(accounts).containsExactly("acme-0", "acme-1", "acme-3", "acme-4");
        assertThat(paymentIds).containsExactlyInAnyOrder(Fixtures.paymentId("replay-topup-3"),
                Fixtures.paymentId("replay-0-3"), Fixtures.paymentId("replay-1-4"), Fixtures.paymentId("replay-3-x"));
        assertThat(changed.differences()).anySatisfy(difference -> assertThat(difference)
                .startsWith("account acme-3: live balance 1300").endsWith("replayed none"));
    }

    private void open(int... indexes) throws Exception {
        List<Map.Entry<String, AccountRequest>> opens = new ArrayList<>();
        for (int i : indexes) {
            AccountRequest open = anOpen("acme-" + i, "USD", AccountType.CUSTOMER).setClientId("acme").build();
            opens.add(Map.entry(open.getAccountId(), open));
        }
        kafka.produce(Topics.ACCOUNT_REQUESTS, opens);
        await().atMost(SETTLE).until(() -> opens.stream().allMatch(open -> account(open.getKey()) != null));
    }

    private void settle(List<PaymentRequest> requests) throws Exception {
        kafka.produce(Topics.PAYMENT_REQUESTS, requests.stream()
                .map(request -> Map.entry(request.getPaymentId(), request)).toList());
        await().atMost(SETTLE).until(() -> requests.stream().allMatch(request -> {
            PaymentState state = store(PaymentStatusTopology.PAYMENTS_STORE, request.getPaymentId());
            return state != null && state.getStatus() != PaymentStatus.ACCEPTED;
        }));
    }

    private PaymentState payment(String label) {
        return store(PaymentStatusTopology.PAYMENTS_STORE, Fixtures.paymentId(label));
    }

    private AccountState account(String accountId) {
        return store(LedgerTopology.ACCOUNTS_STORE, accountId);
    }

    private <V> V store(String name, String key) {
        KafkaStreams streams = app.<ProcessorApplication>getApplication().streams().streams();
        ReadOnlyKeyValueStore<String, V> store = streams.store(StoreQueryParameters.fromNameAndType(name,
                QueryableStoreTypes.<String, V>keyValueStore()));
        return store.get(key);
    }
}
