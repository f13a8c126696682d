package io.paystream.processor.errors;

import io.paystream.processor.metrics.PaymentMetrics;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The last resort for exceptions that escape a processor. The processors catch their own failures and compensate
 * (see {@code LedgerFailures}); anything that still escapes is written to the dead-letter topic with error headers,
 * counted, and processing continues.
 */
public class CountingProcessingExceptionHandler extends LogAndContinueProcessingExceptionHandler {
    private PaymentMetrics metrics;

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        this.metrics = (PaymentMetrics) configs.get(PaymentMetrics.CONFIG_KEY);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        Response response = super.handleError(context, record, exception);
        if (metrics != null) {
            metrics.deadLettered("processing", context.topic());
        }
        return response;
    }
}
