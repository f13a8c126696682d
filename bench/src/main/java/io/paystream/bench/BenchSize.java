package io.paystream.bench;

import java.time.Duration;

/**
 * How much each section does. {@link #FULL} is {@code make bench} (under 15 minutes on two cores); {@link #SMOKE} is
 * the form {@code make test} runs, which proves the harness works and says nothing about speed.
 *
 * @param name the size's name, for the report
 * @param rawRecords records the raw producer writes (bounded by {@code rawLimit})
 * @param rawLimit the raw producer's time bound
 * @param postgresClients concurrent clients of the PostgreSQL ledger
 * @param postgresRun how long the PostgreSQL ledger runs
 * @param accounts accounts the transfers move money between
 * @param backlog transfers written at once for the throughput figure
 * @param latencyRun each open-loop latency run
 * @param httpRun each HTTP run
 * @param lookupsPerSecond balance lookups per second during writes
 * @param recoveryRun the writes around the processor kill
 * @param scaleAccounts accounts opened and topped up for the scale figure
 * @param sweeps whether to run the commit-interval and stream-thread sweeps
 */
record BenchSize(String name, int rawRecords, Duration rawLimit, int postgresClients, Duration postgresRun,
        int accounts, int backlog, Duration latencyRun, Duration httpRun, int lookupsPerSecond, Duration recoveryRun,
        int scaleAccounts, boolean sweeps) {

    static final BenchSize FULL = new BenchSize("full", 2_000_000, Duration.ofSeconds(20), 16,
            Duration.ofSeconds(20), 1_000, 30_000, Duration.ofSeconds(20), Duration.ofSeconds(10), 1_000,
            Duration.ofSeconds(40), 100_000, true);

    static final BenchSize SMOKE = new BenchSize("smoke", 20_000, Duration.ofSeconds(5), 4, Duration.ofSeconds(2),
            50, 300, Duration.ofSeconds(3), Duration.ofSeconds(2), 100, Duration.ofSeconds(20), 500, false);

    BenchSize withScaleAccounts(int value) {
        return new BenchSize(name, rawRecords, rawLimit, postgresClients, postgresRun, accounts, backlog, latencyRun,
                httpRun, lookupsPerSecond, recoveryRun, value, sweeps);
    }
}
