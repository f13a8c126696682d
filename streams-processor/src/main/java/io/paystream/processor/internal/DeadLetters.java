package io.paystream.processor.internal;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds dead-letter records for failures that processors catch themselves. They carry the same headers as the records
 * Kafka Streams' own dead-letter queue writes (KIP-1034), so operators read one format whatever the failure:
 * exception class, message, stack trace, and the source topic, partition and offset.
 */
public final class DeadLetters {
    /** Stack traces are for diagnosis; bound them so a deep trace cannot blow the record size limit. */
    private static final int STACK_TRACE_LENGTH_MAX = 8_192;

    private DeadLetters() {
    }

    /** A dead letter holding the original key and value bytes, the input's headers, and the error headers. */
    public static Record<byte[], byte[]> of(Record<?, ?> input, Optional<RecordMetadata> source, byte[] key,
            byte[] value, Exception failure) {
        Headers headers = new RecordHeaders(input.headers().toArray());
        put(headers, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_NAME, failure.getClass().getName());
        put(headers, ExceptionHandlerUtils.HEADER_ERRORS_EXCEPTION_MESSAGE_NAME, String.valueOf(failure.getMessage()));
        put(headers, ExceptionHandlerUtils.HEADER_ERRORS_STACKTRACE_NAME, stackTrace(failure));
        source.ifPresent(metadata -> {
            put(headers, ExceptionHandlerUtils.HEADER_ERRORS_TOPIC_NAME, metadata.topic());
            put(headers, ExceptionHandlerUtils.HEADER_ERRORS_PARTITION_NAME, String.valueOf(metadata.partition()));
            put(headers, ExceptionHandlerUtils.HEADER_ERRORS_OFFSET_NAME, String.valueOf(metadata.offset()));
        });
        return new Record<>(key, value, input.timestamp(), headers);
    }

    private static void put(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    private static String stackTrace(Exception failure) {
        String trace = Utils.stackTrace(failure);
        return trace.length() <= STACK_TRACE_LENGTH_MAX ? trace : trace.substring(0, STACK_TRACE_LENGTH_MAX);
    }
}
