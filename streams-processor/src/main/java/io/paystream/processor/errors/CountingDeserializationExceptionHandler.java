package io.paystream.processor.errors;

import io.paystream.processor.metrics.PaymentMetrics;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;

/**
 * Handles records that cannot be decoded: Kafka Streams' log-and-continue handler writes them, with error headers, to
 * the dead-letter topic named by {@code errors.dead.letter.queue.topic.name}; this subclass also counts them. A poison
 * pill therefore never stops the application or sends it into a restart loop.
 */
public class CountingDeserializationExceptionHandler extends LogAndContinueExceptionHandler {
    private PaymentMetrics metrics;

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        this.metrics = (PaymentMetrics) configs.get(PaymentMetrics.CONFIG_KEY);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
            Exception exception) {
        Response response = super.handleError(context, record, exception);
        if (metrics != null) {
            metrics.deadLettered("deserialization", record.topic());
        }
        return response;
    }
}
