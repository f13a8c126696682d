package io.paystream.processor.errors;

import io.paystream.processor.metrics.PaymentMetrics;
import java.util.Map;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.LogAndContinueProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last resort for exceptions that escape a processor. The processors decide without throwing, and dead-letter and
 * compensate their own decision failures (see {@code LedgerRules.decide}). What still escapes comes in two kinds:
 * <ul>
 *   <li>a {@link FailTaskException}: state may be half written, so the task fails and exactly-once aborts and replays
 *       the record; it is never skipped;</li>
 *   <li>anything else, thrown before any state was touched: written to the dead-letter topic with error headers,
 *       counted, and processing continues.</li>
 * </ul>
 */
public class CountingProcessingExceptionHandler extends LogAndContinueProcessingExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CountingProcessingExceptionHandler.class);
    private PaymentMetrics metrics;

    @Override
    public void configure(Map<String, ?> configs) {
        super.configure(configs);
        this.metrics = (PaymentMetrics) configs.get(PaymentMetrics.CONFIG_KEY);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (FailTaskException.isIn(exception)) {
            LOG.error("failing the task so that exactly-once aborts and replays {}-{}@{}: {}", context.topic(),
                    context.partition(), context.offset(), exception.getMessage());
            return Response.fail();
        }
        Response response = super.handleError(context, record, exception);
        if (metrics != null) {
            metrics.deadLettered("processing", context.topic());
        }
        return response;
    }
}
