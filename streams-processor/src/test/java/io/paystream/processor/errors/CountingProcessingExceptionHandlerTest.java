package io.paystream.processor.errors;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.paystream.processor.metrics.PaymentMetrics;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CountingProcessingExceptionHandlerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountingProcessingExceptionHandler handler = new CountingProcessingExceptionHandler();
    private final Record<String, String> record = new Record<>("alice", "command", 1L);

    @BeforeEach
    void configure() {
        Map<String, Object> configs = new HashMap<>();
        configs.put(PaymentMetrics.CONFIG_KEY, new PaymentMetrics(registry));
        configs.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "payments.dlq.v1");
        handler.configure(configs);
    }

    @Test
    void failsTheTaskWhenStateMayBeHalfWritten() {
        var failure = new FailTaskException("the ledger could not apply it", new IllegalStateException("disk"));

        assertThat(handler.handleError(new Context(), record, failure).result()).isEqualTo(Result.FAIL);
        assertThat(handler.handleError(new Context(), record, new RuntimeException("wrapped", failure)).result())
                .isEqualTo(Result.FAIL);
        assertThat(deadLettered()).isZero();
    }

    @Test
    void deadLettersAndCountsAFailureThatTouchedNoState() {
        var response = handler.handleError(new Context(), record, new IllegalArgumentException("bad input"));

        assertThat(response.result()).isEqualTo(Result.RESUME);
        assertThat(response.deadLetterQueueRecords()).singleElement()
                .satisfies(deadLetter -> assertThat(deadLetter.topic()).isEqualTo("payments.dlq.v1"));
        assertThat(deadLettered()).isEqualTo(1.0);
    }

    private double deadLettered() {
        var counter = registry.find("paystream.dlq.records").tag("stage", "processing")
                .tag("topic", "payments.ledger.v1").counter();
        return counter == null ? 0 : counter.count();
    }

    /** The failing record's coordinates, as Kafka Streams hands them to the handler. */
    private static final class Context implements ErrorHandlerContext {
        @Override
        public String topic() {
            return "payments.ledger.v1";
        }

        @Override
        public int partition() {
            return 0;
        }

        @Override
        public long offset() {
            return 7;
        }

        @Override
        public Headers headers() {
            return new RecordHeaders();
        }

        @Override
        public String processorNodeId() {
            return "ledger";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(2, 0);
        }

        @Override
        public long timestamp() {
            return 1;
        }

        @Override
        public byte[] sourceRawKey() {
            return "alice".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public byte[] sourceRawValue() {
            return new byte[] {1, 2, 3};
        }
    }
}
