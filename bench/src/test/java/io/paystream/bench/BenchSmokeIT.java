package io.paystream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The short form of {@code make bench}: the same sections against a real stack (broker, PostgreSQL, processors,
 * ingress, sinks as separate processes), with small sizes. It proves the harness measures what it says, not how fast
 * anything is: every section reports, the figures are consistent with each other, and nothing is lost.
 */
class BenchSmokeIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everySectionMeasuresARealStack() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Report report;
        try (PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8)) {
            report = Bench.run(new Report(out), BenchSize.SMOKE, new HashSet<>(Bench.SECTIONS), false, ROOT,
                    Path.of("target/bench-home"), null, out);
        }
        System.out.print(progress.toString(StandardCharsets.UTF_8));
        Path json = Path.of("target/bench-smoke.json");
        report.writeJson(json);

        Set<String> sections = report.rows().stream().map(Report.Row::section).collect(Collectors.toSet());
        assertThat(sections).contains("raw", "postgres", "pipeline", "hot", "batches", "atomic", "journal", "latency",
                "ingress",
                "query", "recovery", "scale", "start");
        assertThat(report.rows()).allSatisfy(row -> {
            assertThat(row.value()).isNotBlank();
            assertThat(row.method()).isNotBlank();
        });

        assertThat(report.number("raw.recordsPerSecond")).isPositive();
        assertThat(report.number("postgres.transfersPerSecond")).isPositive();
        // A transfer is at least its request, two ledger legs, its events and audit entries: far more than one write,
        // and a miscount (a topic counted twice, or the raw topic included) would show here.
        assertThat(report.number("pipeline.writesPerPayment")).isBetween(6.0, 60.0);
        assertThat(report.number("pipeline.paymentsPerSecond")).isPositive();
        assertThat(report.number("pipeline.physicalBound"))
                .isEqualTo(report.number("raw.recordsPerSecond") / report.number("pipeline.writesPerPayment"));
        for (String fraction : List.of("p25", "p50", "p75")) {
            assertThat(report.number("latency." + fraction + ".p50Ms")).isPositive()
                    .isLessThanOrEqualTo(report.number("latency." + fraction + ".p99Ms"));
        }
        // CPU per payment: every process's share, and the stack's sum without the load generator.
        assertThat(report.number("cpu.perPayment.stack.micros")).isPositive()
                .isGreaterThan(report.number("cpu.perPayment.processor-1.micros"));
        assertThat(report.number("hot.pipeline.paymentsPerSecond")).isPositive();
        assertThat(report.number("hot.postgres.transfersPerSecond")).isPositive();
        assertThat(report.number("batches.postgres.transfersPerSecond")).isPositive();
        assertThat(report.number("batches.b100.paymentsPerSecond")).isPositive();
        assertThat(report.number("batches.b1000.paymentsPerSecond")).isPositive();
        assertThat(report.number("batches.b1000.cpu.perPayment.stack.micros")).isPositive();
        // A share's credits leave its task as one record per payee partition, not one per payment.
        assertThat(report.number("batches.b1000.ledgerRecordsPerPayment")).isPositive().isLessThan(0.5);
        // Every split settled (the section waits for each leg's terminal event), and its latency was recorded once.
        assertThat(report.number("atomic.split3.p50Ms")).isPositive()
                .isLessThanOrEqualTo(report.number("atomic.split3.p99Ms"));
        assertThat(report.number("journal.chainMicrosPerPayment")).isPositive();
        assertThat(report.number("query.cpuPerLookupMicros")).isPositive();
        assertThat(report.number("ingress.cpuPerPostMicros")).isPositive();
        assertThat(report.number("start.againSeconds")).isPositive();
        assertThat(report.number("ingress.pingPerSecond")).isPositive();
        assertThat(report.number("ingress.postPerSecond")).isPositive();
        assertThat(report.number("recovery.keysAnswerSeconds")).isPositive();
        assertThat(report.number("recovery.drainedSeconds")).isPositive();
        assertThat(report.number("scale.accounts")).isEqualTo((double) BenchSize.SMOKE.accounts()
                + BenchSize.SMOKE.scaleAccounts());
        assertThat(report.number("scale.heapBytes")).isPositive();

        JsonNode written = new ObjectMapper().readTree(json.toFile());
        assertThat(written.at("/context/complete").asBoolean()).isTrue();
        // The processor did the work of the backlog on its stream thread, and Kafka Streams said where the time went.
        assertThat(written.at("/context/processorThreadCoresDuringBacklog/Kafka Streams threads").asDouble())
                .isPositive();
        assertThat(written.at("/context/streamThreadSplit").asText()).contains("process ", "poll ", "commit ");
        assertThat(written.at("/context/processorThreadCoresWaitingForCpu").isObject()).isTrue();
        assertThat(written.get("rows")).hasSize(report.rows().size());
        assertThat(written.at("/numbers/pipeline.writesPerPayment").asDouble())
                .isEqualTo(report.number("pipeline.writesPerPayment"));
    }
}
