package io.paystream.local.chaos;

import io.paystream.local.LocalCluster;
import io.paystream.schemas.Topics;
import io.paystream.schemas.avro.AccountCommandType;
import io.paystream.schemas.avro.AccountRequest;
import io.paystream.schemas.avro.AccountType;
import io.paystream.schemas.avro.ActionType;
import io.paystream.schemas.avro.CaptureMode;
import io.paystream.schemas.avro.PaymentAction;
import io.paystream.schemas.avro.PaymentRequest;
import io.paystream.schemas.avro.PaymentSource;
import io.paystream.schemas.avro.SourceType;
import io.paystream.schemas.avro.PaymentType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A seeded payment workload, half through the HTTP ingress and half written straight to
 * {@code payments.requests.v1}: top-ups, transfers, payments, withdrawals over skewed (hot) accounts, invalid
 * requests, payments to missing, frozen and other-currency accounts, and resubmissions with the same idempotency key,
 * concurrently and after a delay; and manual-capture transfers (holds of 60 to 180 s) with captures, partial captures
 * and voids of earlier ones, some of which have ended already, written directly; and refunds of earlier direct
 * transfers and payments (partial, whole, too large, two of one payment at once, of payments in any state); and
 * batches over HTTP ({@code POST /v1/payment-batches}): independent ones of 2 to 6 payments of every type, and atomic
 * ones of 1 to 4 transfers and payments from one or two payers, resubmitted like single ones. It behaves
 * like a careful client: a 503 or a lost connection is retried with the same key, a bounded number of times. Every
 * loop is bounded in count and time.
 */
final class Workload implements AutoCloseable {
    static final String HTTP_CLIENT_ID = "local-dev";
    private static final int ACCOUNTS = 24;
    /** The first few accounts take half of the traffic. */
    private static final int HOT_ACCOUNTS = 3;
    private static final int HTTP_RETRIES_MAX = 20;
    private static final int IN_FLIGHT_MAX = 16;

    private final Random random;
    private final LocalCluster cluster;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final KafkaProducer<String, byte[]> producer;
    private final Semaphore inFlight = new Semaphore(IN_FLIGHT_MAX);
    private final List<String> accounts = new ArrayList<>();
    private final Map<String, String> currencyOf = new HashMap<>();
    private final List<Sent> sentForResubmission = Collections.synchronizedList(new ArrayList<>());
    /** Payment ids the ingress answered 202 for. */
    final Set<String> acceptedOverHttp = ConcurrentHashMap.newKeySet();
    /** Payment ids the broker acknowledged from the direct producer. */
    final Set<String> acceptedDirect = ConcurrentHashMap.newKeySet();
    final AtomicInteger refusedOverHttp = new AtomicInteger();
    final AtomicInteger unansweredOverHttp = new AtomicInteger();
    final AtomicInteger resubmissions = new AtomicInteger();
    final AtomicInteger cardTopUps = new AtomicInteger();
    /** Batches sent over HTTP (their payments, once accepted, are in {@link #acceptedOverHttp}). */
    final AtomicInteger batches = new AtomicInteger();
    /** How many of them were atomic. */
    final AtomicInteger atomicBatches = new AtomicInteger();
    /** Captures, voids and refunds the broker acknowledged. */
    final AtomicInteger actions = new AtomicInteger();
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    /** Direct transfers and payments (and authorizations), with their amounts: what refunds are asked of. */
    private final List<Refundable> refundable = Collections.synchronizedList(new ArrayList<>());

    /** A payment refunds may be asked of, and when it was sent. */
    private record Refundable(PaymentRequest payment, long sentAtNanos) {
    }

    /** A request as first sent, to send again later with the same key; {@code path} is where an HTTP one goes. */
    private record Sent(boolean overHttp, String path, String idempotencyKey, String json, PaymentRequest direct) {
    }

    private static final String PAYMENTS = "/v1/payments";
    private static final String BATCHES = "/v1/payment-batches";
    private static final java.util.regex.Pattern PAYMENT_ID =
            java.util.regex.Pattern.compile("\"paymentId\":\"([^\"]+)\"");

    Workload(long seed, LocalCluster cluster) {
        this.random = new Random(seed);
        this.cluster = cluster;
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        producer = new KafkaProducer<>(properties, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** Accounts the frozen-before-the-answer card top-up has used: one fresh account per run. */
    private int cardFreezes;

    /** Opens the accounts (some deliberately not, one frozen) with a direct producer and waits for the acks. */
    List<String> openAccounts() throws Exception {
        for (int i = 0; i < ACCOUNTS; i++) {
            String accountId = "acct-" + i;
            accounts.add(accountId);
            currencyOf.put(accountId, i % 4 == 3 ? "EUR" : "USD");
            if (i % 8 == 7) {
                continue; // never opened: payments to and from it exercise ACCOUNT_NOT_FOUND and reversals
            }
            sendAccount(AccountRequest.newBuilder().setRequestId("open-" + accountId).setAccountId(accountId)
                    .setCommand(AccountCommandType.OPEN).setCurrency(currencyOf.get(accountId))
                    .setAccountType(i % 5 == 4 ? AccountType.MERCHANT : AccountType.CUSTOMER)
                    .setOverdraftLimit(i % 6 == 0 ? 5_000L : 0L).build());
            // Two balance monitors per account, at thresholds its balance goes back and forth over; the checker
            // counts their crossings in the journal and wants exactly one event for each.
            for (int m = 0; m < 2; m++) {
                String monitorId = io.paystream.schemas.validation.MonitorIds.of(
                        java.nio.ByteBuffer.allocate(8).putLong(i * 2L + m).array(), accountId);
                sendAccount(AccountRequest.newBuilder().setRequestId("monitor-" + monitorId).setAccountId(accountId)
                        .setCommand(AccountCommandType.ADD_MONITOR).setClientId(HTTP_CLIENT_ID)
                        .setMonitor(io.paystream.schemas.avro.BalanceMonitor.newBuilder().setMonitorId(monitorId)
                                .setClientId(HTTP_CLIENT_ID)
                                .setField(m == 0 ? io.paystream.schemas.avro.BalanceField.BALANCE
                                        : io.paystream.schemas.avro.BalanceField.AVAILABLE)
                                .setOperator(m == 0 ? io.paystream.schemas.avro.ThresholdOperator.LT
                                        : io.paystream.schemas.avro.ThresholdOperator.GTE)
                                .setAmount(m == 0 ? 2_000 : 20_000).build())
                        .build());
            }
        }
        sendAccount(AccountRequest.newBuilder().setRequestId("freeze-acct-10").setAccountId("acct-10")
                .setCommand(AccountCommandType.FREEZE).build());
        producer.flush();
        List<String> opened = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            if (i % 8 != 7) {
                opened.add(accounts.get(i));
            }
        }
        return opened;
    }

    private void sendAccount(AccountRequest request) throws Exception {
        producer.send(new ProducerRecord<>(Topics.ACCOUNT_REQUESTS.name(), request.getAccountId(),
                Topics.ACCOUNT_REQUESTS.valueSerde().serializer().serialize("", request))).get();
    }

    /** Sends {@code count} commands at about {@code perSecond}, then waits (bounded) for every answer. */
    void run(int count, int perSecond, Duration timeLimit) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeLimit);
        long pauseMicros = 1_000_000L / perSecond;
        List<CompletableFuture<?>> pending = new ArrayList<>();
        pending.add(topUpThenFreeze());
        for (int i = 0; i < count && Instant.now().isBefore(deadline); i++) {
            pending.add(next());
            TimeUnit.MICROSECONDS.sleep(pauseMicros);
        }
        for (CompletableFuture<?> future : pending) {
            try {
                future.get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()) + 60_000,
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                unansweredOverHttp.incrementAndGet();
            }
        }
        producer.flush();
    }

    /**
     * A card top-up whose payee is frozen between the charge and the acquirer's answer (tok_timeout answers only after
     * the simulator's hang): the approval can no longer be credited, so the charge must be refunded at the acquirer.
     * Each run uses a fresh account, opened first; faults may move the freeze before the check, which is fine too.
     */
    private CompletableFuture<?> topUpThenFreeze() {
        String accountId = "acct-card-" + cardFreezes++;
        PaymentRequest topUp = PaymentRequest.newBuilder()
                .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setType(PaymentType.TOPUP).setTo(accountId).setAmount(4_000).setCurrency("USD")
                .setSource(PaymentSource.newBuilder().setType(SourceType.CARD).setToken("tok_timeout").build())
                .setClientId("direct").build();
        cardTopUps.incrementAndGet();
        return CompletableFuture.runAsync(() -> {
            try {
                sendAccount(AccountRequest.newBuilder().setRequestId("open-" + accountId).setAccountId(accountId)
                        .setCommand(AccountCommandType.OPEN).setCurrency("USD").setAccountType(AccountType.CUSTOMER)
                        .setOverdraftLimit(0L).build());
                TimeUnit.SECONDS.sleep(2);
                produce(topUp).get(30, TimeUnit.SECONDS);
                TimeUnit.SECONDS.sleep(1);
                sendAccount(AccountRequest.newBuilder().setRequestId("freeze-" + accountId).setAccountId(accountId)
                        .setCommand(AccountCommandType.FREEZE).build());
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException("the frozen card top-up of " + accountId
                        + " could not be sent", e);
            }
        });
    }

    private CompletableFuture<?> next() {
        int roll = random.nextInt(100);
        if (roll < 5 && !sentForResubmission.isEmpty()) {
            resubmissions.incrementAndGet();
            return resend(sentForResubmission.get(random.nextInt(sentForResubmission.size())));
        }
        if (roll < 10 && !sentForResubmission.isEmpty()) {
            // The same request twice at once, as a client whose first attempt timed out would.
            resubmissions.incrementAndGet();
            Sent twice = sentForResubmission.get(sentForResubmission.size() - 1);
            return CompletableFuture.allOf(resend(twice), resend(twice));
        }
        if (roll >= 60 && roll < 65) {
            Sent batch = random.nextBoolean() ? httpBatch(2 + random.nextInt(5))
                    : httpAtomicBatch(1 + random.nextInt(4));
            batches.incrementAndGet();
            sentForResubmission.add(batch);
            return resend(batch);
        }
        PaymentType type;
        String from = null;
        String to = null;
        if (roll < 35) {
            type = PaymentType.TOPUP;
            to = account();
        } else if (roll < 65) {
            type = PaymentType.TRANSFER;
            from = account();
            to = otherThan(from);
        } else if (roll < 75) {
            type = PaymentType.PAYMENT;
            from = account();
            to = otherThan(from);
        } else if (roll < 89) {
            type = PaymentType.WITHDRAWAL;
            from = account();
        } else if (roll < 92) {
            return refund();
        } else if (roll < 93) {
            type = PaymentType.WITHDRAWAL;
            from = account();
        } else if (roll < 94) {
            type = PaymentType.TRANSFER;
            from = account();
            to = from; // invalid: a self-transfer
        } else if (roll < 97) {
            return authorize();
        } else {
            return act();
        }
        String currency = currency(from != null ? from : to);
        long amount = amount(type);
        // A third of the top-ups are paid by card: charged at the acquirer simulator through the acquirer
        // connector, approved (most), declined, or answered only after the connector's timeout and retry.
        String card = type == PaymentType.TOPUP && random.nextInt(3) == 0 ? cardToken() : null;
        if (card != null) {
            cardTopUps.incrementAndGet();
        }
        Sent sent = random.nextBoolean() ? httpRequest(type, from, to, amount, currency, card)
                : directRequest(type, from, to, amount, currency, card);
        sentForResubmission.add(sent);
        return resend(sent);
    }

    /** A manual-capture transfer, written directly: a hold of 60 to 180 s, captured, voided or left to expire. */
    private CompletableFuture<?> authorize() {
        String from = account();
        PaymentRequest request = PaymentRequest.newBuilder()
                .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setType(PaymentType.TRANSFER).setFrom(from).setTo(otherThan(from))
                .setAmount(1 + random.nextInt(3_000)).setCurrency(currencyOf.get(from)).setClientId("direct")
                .setCapture(CaptureMode.MANUAL).setHoldExpiresInSeconds(60L + random.nextInt(121)).build();
        authorizations.add(request.getPaymentId());
        refundable.add(new Refundable(request, System.nanoTime()));
        return produce(request);
    }

    /** A capture (whole or partial) or a void of an earlier authorization, sometimes one that has ended already. */
    private CompletableFuture<?> act() {
        if (authorizations.isEmpty()) {
            return authorize();
        }
        String paymentId = authorizations.get(random.nextInt(authorizations.size()));
        boolean capture = random.nextBoolean();
        PaymentAction action = PaymentAction.newBuilder()
                .setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setPaymentId(paymentId).setType(capture ? ActionType.CAPTURE : ActionType.VOID)
                .setAmount(capture && random.nextBoolean() ? Long.valueOf(1 + random.nextInt(1_500)) : null)
                .setClientId("direct").build();
        return sendAction(action);
    }

    /**
     * A refund of an earlier direct transfer, payment or authorization (completed or not): part of it, all of it, or
     * more; one time in four, two refunds of the same payment at once.
     */
    private CompletableFuture<?> refund() {
        // Mostly payments sent 3 s ago or more, which have had time to complete; sometimes the latest.
        long settled = System.nanoTime() - TimeUnit.SECONDS.toNanos(3);
        List<Refundable> candidates;
        synchronized (refundable) {
            candidates = refundable.stream().filter(r -> random.nextInt(5) == 0 || r.sentAtNanos() < settled)
                    .toList();
        }
        if (candidates.isEmpty()) {
            return authorize();
        }
        PaymentRequest payment = candidates.get(candidates.size() - 1
                - random.nextInt(Math.min(60, candidates.size()))).payment();
        int refunds = random.nextInt(4) == 0 ? 2 : 1;
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = 0; i < refunds; i++) {
            long amount = random.nextInt(6) == 0 ? payment.getAmount() + 1
                    : 1 + random.nextInt((int) payment.getAmount());
            sent.add(sendAction(PaymentAction.newBuilder()
                    .setActionId(new UUID(random.nextLong(), random.nextLong()).toString())
                    .setPaymentId(payment.getPaymentId()).setType(ActionType.REFUND).setAmount(amount)
                    .setReason("chaos refund").setClientId("direct").build()));
        }
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<?> sendAction(PaymentAction action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        var unused = producer.send(new ProducerRecord<>(Topics.PAYMENT_ACTIONS.name(), action.getPaymentId(),
                Topics.PAYMENT_ACTIONS.valueSerde().serializer().serialize("", action)), (metadata, failure) -> {
                    if (failure == null) {
                        actions.incrementAndGet();
                    }
                    done.complete(null);
                });
        return done;
    }

    private String cardToken() {
        int roll = random.nextInt(20);
        return roll < 14 ? "tok_visa" : roll < 17 ? "tok_decline" : roll < 19 ? "tok_approve" : "tok_timeout";
    }

    /** The currency of {@code account}, or one time in 25 the other one (a payment the ledger must refuse). */
    private String currency(String account) {
        String currency = currencyOf.get(account);
        return random.nextInt(25) == 0 ? (currency.equals("USD") ? "EUR" : "USD") : currency;
    }

    /** A top-up of 1,000 to 21,000 minor units, or 1 to 3,000 for anything else. */
    private long amount(PaymentType type) {
        return type == PaymentType.TOPUP ? 1_000 + random.nextInt(20_000) : 1 + random.nextInt(3_000);
    }

    private Sent httpRequest(PaymentType type, String from, String to, long amount, String currency, String card) {
        return new Sent(true, PAYMENTS, "key-" + new UUID(random.nextLong(), random.nextLong()),
                paymentJson(type, from, to, amount, currency, card), null);
    }

    private static String paymentJson(PaymentType type, String from, String to, long amount, String currency,
            String card) {
        return "{\"type\":\"" + type + "\"" + (from == null ? "" : ",\"from\":\"" + from + "\"")
                + (to == null ? "" : ",\"to\":\"" + to + "\"") + ",\"amount\":" + amount + ",\"currency\":\""
                + currency + "\"" + (card == null ? "" : ",\"source\":{\"type\":\"CARD\",\"token\":\"" + card + "\"}")
                + "}";
    }

    /**
     * An independent batch of {@code size} top-ups, transfers, payments and withdrawals over the same skewed accounts,
     * some in the wrong currency: each payment ends on its own, as if posted alone.
     */
    private Sent httpBatch(int size) {
        StringBuilder json = new StringBuilder("{\"payments\":[");
        for (int index = 0; index < size; index++) {
            int roll = random.nextInt(4);
            PaymentType type = roll == 0 ? PaymentType.TOPUP : roll == 1 ? PaymentType.TRANSFER
                    : roll == 2 ? PaymentType.PAYMENT : PaymentType.WITHDRAWAL;
            String from = type == PaymentType.TOPUP ? null : account();
            String to = type == PaymentType.WITHDRAWAL ? null : from == null ? account() : otherThan(from);
            String currency = currency(from != null ? from : to);
            long amount = amount(type);
            json.append(index == 0 ? "" : ",").append(paymentJson(type, from, to, amount, currency, null));
        }
        return new Sent(true, BATCHES, "batch-" + new UUID(random.nextLong(), random.nextLong()),
                json.append("]}").toString(), null);
    }

    /**
     * An atomic batch of {@code size} transfers and payments from one or two payers over the same skewed accounts,
     * some in the wrong currency, to a missing account or beyond the payer's money: every payment moves, or none.
     */
    private Sent httpAtomicBatch(int size) {
        String[] payers = {account(), account()};
        StringBuilder json = new StringBuilder("{\"atomic\":true,\"payments\":[");
        for (int index = 0; index < size; index++) {
            String from = payers[index > 0 && random.nextInt(3) == 0 ? 1 : 0];
            PaymentType type = random.nextInt(3) == 0 ? PaymentType.PAYMENT : PaymentType.TRANSFER;
            String to = otherThan(from);
            json.append(index == 0 ? "" : ",").append(paymentJson(type, from, to, amount(type), currency(from),
                    null));
        }
        atomicBatches.incrementAndGet();
        return new Sent(true, BATCHES, "atomic-" + new UUID(random.nextLong(), random.nextLong()),
                json.append("]}").toString(), null);
    }

    private Sent directRequest(PaymentType type, String from, String to, long amount, String currency,
            String card) {
        PaymentRequest request = PaymentRequest.newBuilder()
                .setPaymentId(new UUID(random.nextLong(), random.nextLong()).toString())
                .setType(type).setFrom(from).setTo(to).setAmount(amount).setCurrency(currency)
                .setSource(card == null ? null : PaymentSource.newBuilder().setType(SourceType.CARD).setToken(card)
                        .build())
                .setClientId("direct").build();
        if (type == PaymentType.TRANSFER || type == PaymentType.PAYMENT) {
            refundable.add(new Refundable(request, System.nanoTime()));
        }
        return new Sent(false, null, null, null, request);
    }

    private CompletableFuture<?> resend(Sent sent) {
        return sent.overHttp() ? postWithRetries(sent, 0) : produce(sent.direct());
    }

    private CompletableFuture<?> produce(PaymentRequest request) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        var unused2 = producer.send(new ProducerRecord<>(Topics.PAYMENT_REQUESTS.name(), request.getPaymentId(),
                Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize("", request)), (metadata, failure) -> {
                    if (failure == null) {
                        acceptedDirect.add(request.getPaymentId());
                    }
                    done.complete(null);
                });
        return done;
    }

    // The nested future that handle() returns is flattened by thenCompose at the end.
    @SuppressWarnings("FutureReturnValueIgnored")
    private CompletableFuture<?> postWithRetries(Sent sent, int attempt) {
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.completedFuture(null);
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(cluster.ingressUrl() + sent.path()))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer local-dev-key").header("Content-Type", "application/json")
                .header("Idempotency-Key", sent.idempotencyKey())
                .POST(HttpRequest.BodyPublishers.ofString(sent.json())).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            inFlight.release();
            int status = failure == null ? response.statusCode() : -1;
            if (status == 202) {
                // One id for a payment, one per payment for a batch.
                java.util.regex.Matcher ids = PAYMENT_ID.matcher(response.body());
                while (ids.find()) {
                    acceptedOverHttp.add(ids.group(1));
                }
                return CompletableFuture.completedFuture(null);
            }
            if (status == 422) {
                refusedOverHttp.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }
            if (attempt + 1 >= HTTP_RETRIES_MAX) {
                unansweredOverHttp.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }
            // 503 or no answer: not accepted, or not known to be; retrying with the same key is always safe.
            return CompletableFuture.runAsync(() -> { },
                    CompletableFuture.delayedExecutor(500L * (attempt + 1), TimeUnit.MILLISECONDS))
                    .thenCompose(ignored -> postWithRetries(sent, attempt + 1));
        }).thenCompose(future -> future);
    }

    private String account() {
        return random.nextBoolean() ? accounts.get(random.nextInt(HOT_ACCOUNTS))
                : accounts.get(random.nextInt(accounts.size()));
    }

    private String otherThan(String accountId) {
        String other = account();
        return other.equals(accountId) ? accounts.get((accounts.indexOf(accountId) + 1) % accounts.size()) : other;
    }

    /** A one-minor-unit top-up written straight to Kafka; its completion shows the pipeline is processing. */
    PaymentRequest canary(String accountId, String currency) throws Exception {
        return canary(accountId, currency, null);
    }

    /** A canary top-up paid by {@code cardToken} (null: none), which completes only once Connect answers again. */
    PaymentRequest canary(String accountId, String currency, String cardToken) throws Exception {
        PaymentRequest request = PaymentRequest.newBuilder().setPaymentId(UUID.randomUUID().toString())
                .setType(PaymentType.TOPUP).setTo(accountId).setAmount(1).setCurrency(currency)
                .setSource(cardToken == null ? null : PaymentSource.newBuilder().setType(SourceType.CARD)
                        .setToken(cardToken).build())
                .setClientId("canary").build();
        producer.send(new ProducerRecord<>(Topics.PAYMENT_REQUESTS.name(), request.getPaymentId(),
                Topics.PAYMENT_REQUESTS.valueSerde().serializer().serialize("", request))).get(120, TimeUnit.SECONDS);
        acceptedDirect.add(request.getPaymentId());
        return request;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
