package io.paystream.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What a user would build instead: the same transfer as one PostgreSQL transaction, on the stack's own embedded
 * PostgreSQL in the same run. Each transaction locks both accounts in id order, inserts the payment, updates both
 * balances and inserts two journal entries, as the outside probe's pgbench script did. Closed loop: each client
 * starts its next transfer when the last one commits.
 */
final class PostgresLedger {
    /**
     * The outcome.
     *
     * @param transfersPerSecond committed transfers per second
     * @param latency each transaction's time, in microseconds
     * @param settings the server's durability settings, for the method column
     */
    record Result(double transfersPerSecond, Histogram latency, String settings) {
    }

    private static final long OPENING_BALANCE = 1_000_000_000_000L;

    private PostgresLedger() {
    }

    /**
     * Runs the transfers for {@code duration}.
     *
     * @param synchronousCommit the session's {@code synchronous_commit}: {@code on} waits for the WAL write (with
     *     fsync off, to the operating system, as the broker's acks=all reaches its page cache); {@code off} does not
     */
    static Result measure(String jdbcUrl, int clients, int accounts, Duration duration, String synchronousCommit)
            throws Exception {
        return measure(jdbcUrl, clients, accounts, duration, synchronousCommit, false);
    }

    /**
     * As {@link #measure(String, int, int, Duration, String)}; with {@code hot}, half the transfers pay one merchant
     * account ({@code acct-0}), from a random other account, as in the pipeline's hot-account section.
     */
    static Result measure(String jdbcUrl, int clients, int accounts, Duration duration, String synchronousCommit,
            boolean hot) throws Exception {
        return measure(jdbcUrl, clients, accounts, duration, synchronousCommit, hot, 1);
    }

    /**
     * As {@link #measure(String, int, int, Duration, String, boolean)}, with {@code perTransaction} transfers in each
     * transaction: the batched ledger a user would build for bulk payments. A transaction locks every account of its
     * transfers at once, in id order, then books each transfer as a single one is booked, and commits once.
     */
    static Result measure(String jdbcUrl, int clients, int accounts, Duration duration, String synchronousCommit,
            boolean hot, int perTransaction) throws Exception {
        try (Connection connection = connect(jdbcUrl); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS bench CASCADE");
            statement.execute("CREATE SCHEMA bench");
            statement.execute("CREATE TABLE bench.accounts (id text PRIMARY KEY, balance bigint NOT NULL)");
            statement.execute("CREATE TABLE bench.payments (id uuid PRIMARY KEY, payer text NOT NULL, "
                    + "payee text NOT NULL, amount bigint NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
            statement.execute("CREATE TABLE bench.journal (id bigserial PRIMARY KEY, payment_id uuid NOT NULL, "
                    + "account_id text NOT NULL, amount bigint NOT NULL, balance_after bigint NOT NULL)");
            statement.execute("INSERT INTO bench.accounts SELECT 'acct-' || i, " + OPENING_BALANCE
                    + " FROM generate_series(0, " + (accounts - 1) + ") i");
        }
        String settings;
        try (Connection connection = connect(jdbcUrl, synchronousCommit);
                Statement statement = connection.createStatement()) {
            settings = "fsync=" + show(statement, "fsync") + ", synchronous_commit="
                    + show(statement, "synchronous_commit");
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + duration.toNanos();
        List<Future<Histogram>> results = new ArrayList<>();
        java.util.concurrent.atomic.LongAdder transfers = new java.util.concurrent.atomic.LongAdder();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> client(jdbcUrl, synchronousCommit, accounts, hot, perTransaction,
                    transfers, end)));
        }
        Histogram latency = new Histogram(3);
        for (Future<Histogram> result : results) {
            latency.add(result.get(duration.toSeconds() + 60, TimeUnit.SECONDS));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        try (Connection connection = connect(jdbcUrl); Statement statement = connection.createStatement();
                ResultSet sum = statement.executeQuery("SELECT sum(balance) FROM bench.accounts")) {
            sum.next();
            if (sum.getLong(1) != OPENING_BALANCE * accounts) {
                throw new IllegalStateException("the PostgreSQL baseline lost money: " + sum.getLong(1));
            }
        }
        return new Result(transfers.sum() / seconds, latency, settings);
    }

    private static Histogram client(String jdbcUrl, String synchronousCommit, int accounts, boolean hot,
            int perTransaction, java.util.concurrent.atomic.LongAdder transfers, long end) throws SQLException {
        Histogram latency = new Histogram(3);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try (Connection connection = connect(jdbcUrl, synchronousCommit);
                PreparedStatement lock = connection.prepareStatement(
                        "SELECT id FROM bench.accounts WHERE id = ANY (?) ORDER BY id FOR UPDATE");
                PreparedStatement payment = connection.prepareStatement(
                        "INSERT INTO bench.payments (id, payer, payee, amount) VALUES (?, ?, ?, ?)");
                PreparedStatement move = connection.prepareStatement(
                        "UPDATE bench.accounts SET balance = balance + ? WHERE id = ? RETURNING balance");
                PreparedStatement journal = connection.prepareStatement(
                        "INSERT INTO bench.journal (payment_id, account_id, amount, balance_after) "
                                + "VALUES (?, ?, ?, ?)")) {
            connection.setAutoCommit(false);
            while (System.nanoTime() < end) {
                List<String[]> batch = new ArrayList<>(perTransaction);
                java.util.SortedSet<String> touched = new java.util.TreeSet<>();
                while (batch.size() < perTransaction) {
                    int a;
                    int b;
                    if (hot && random.nextBoolean()) {
                        a = 1 + random.nextInt(accounts - 1);
                        b = 0;
                    } else {
                        a = random.nextInt(accounts);
                        b = (a + 1 + random.nextInt(accounts - 1)) % accounts;
                        if (hot && (a == 0 || b == 0)) {
                            continue;
                        }
                    }
                    batch.add(new String[] {"acct-" + a, "acct-" + b});
                    touched.add("acct-" + a);
                    touched.add("acct-" + b);
                }
                long began = System.nanoTime();
                lock.setArray(1, connection.createArrayOf("text", touched.toArray()));
                try (ResultSet locked = lock.executeQuery()) {
                    while (locked.next()) {
                        locked.getString(1);
                    }
                }
                for (String[] transfer : batch) {
                    long amount = 1L + random.nextInt(100);
                    UUID id = UUID.randomUUID();
                    payment.setObject(1, id);
                    payment.setString(2, transfer[0]);
                    payment.setString(3, transfer[1]);
                    payment.setLong(4, amount);
                    payment.executeUpdate();
                    entry(move, journal, id, transfer[0], -amount);
                    entry(move, journal, id, transfer[1], amount);
                }
                connection.commit();
                transfers.add(batch.size());
                latency.recordValue((System.nanoTime() - began) / 1_000);
            }
        }
        return latency;
    }

    private static void entry(PreparedStatement move, PreparedStatement journal, UUID payment, String account,
            long amount) throws SQLException {
        move.setLong(1, amount);
        move.setString(2, account);
        long balanceAfter;
        try (ResultSet updated = move.executeQuery()) {
            updated.next();
            balanceAfter = updated.getLong(1);
        }
        journal.setObject(1, payment);
        journal.setString(2, account);
        journal.setLong(3, amount);
        journal.setLong(4, balanceAfter);
        journal.executeUpdate();
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet value = statement.executeQuery("SHOW " + setting)) {
            value.next();
            return value.getString(1);
        }
    }

    private static Connection connect(String jdbcUrl) throws SQLException {
        return DriverManager.getConnection(jdbcUrl, "postgres", "");
    }

    private static Connection connect(String jdbcUrl, String synchronousCommit) throws SQLException {
        Connection connection = connect(jdbcUrl);
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET synchronous_commit = " + ("on".equals(synchronousCommit) ? "on" : "off"));
        }
        return connection;
    }
}
