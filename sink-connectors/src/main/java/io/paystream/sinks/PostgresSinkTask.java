package io.paystream.sinks;

import io.paystream.sinks.metrics.SinkMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each {@code put} batch to PostgreSQL in one transaction with idempotent upserts. When the database fails, the
 * batch is retried (Connect redelivers it after the back-off) up to the configured number of times, and then the task
 * fails loudly. Connect commits offsets only for batches whose {@code put} returned, so no offset passes a row that was
 * not written.
 *
 * @param <V> the decoded value type, as {@link PayStreamAvroConverter} produces it
 */
abstract class PostgresSinkTask<V> extends SinkTask {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSinkTask.class);

    private SinkConfig config;
    private SinkDatabase database;
    private int failedAttempts;

    /** The table this task writes, for its metrics. */
    abstract String table();

    /** The decoded value class this task accepts. */
    abstract Class<V> valueType();

    /** Writes the batch within the open transaction; returns the number of rows upserted. */
    abstract int write(Handle handle, List<V> values);

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public void start(Map<String, String> properties) {
        config = new SinkConfig(properties);
        database = SinkDatabase.connect(config);
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        List<V> values = new ArrayList<>(records.size());
        for (SinkRecord record : records) {
            if (record.value() == null) {
                continue; // a tombstone carries nothing to write
            }
            if (!valueType().isInstance(record.value())) {
                throw new DataException("expected " + valueType().getSimpleName() + " at " + record.topic() + "-"
                        + record.kafkaPartition() + "@" + record.kafkaOffset() + ", got "
                        + record.value().getClass().getName() + "; is value.converter PayStreamAvroConverter?");
            }
            values.add(valueType().cast(record.value()));
        }
        if (values.isEmpty()) {
            return; // Connect calls put with empty batches between polls; nothing to write or count
        }
        long started = System.nanoTime();
        try {
            int rows = database.jdbi().inTransaction(handle -> write(handle, values));
            SinkMetrics.batchWritten(table(), rows, System.nanoTime() - started);
            failedAttempts = 0;
        } catch (JdbiException e) {
            if (isDataError(e)) {
                writeOneByOne(records);
                failedAttempts = 0;
                return;
            }
            failedAttempts++;
            if (failedAttempts > config.retriesMax()) {
                SinkMetrics.failed(table(), SinkMetrics.Failure.FATAL);
                throw new ConnectException("PostgreSQL failed " + failedAttempts + " times in a row; stopping so that "
                        + "no offset is committed past unwritten rows", e);
            }
            LOG.warn("writing {} records failed (attempt {} of {}); retrying in {} ms: {}", values.size(),
                    failedAttempts, config.retriesMax() + 1, config.retryBackoffMs(), e.toString());
            SinkMetrics.failed(table(), SinkMetrics.Failure.RETRIED);
            if (context != null) {
                context.timeout(config.retryBackoffMs());
            }
            throw new RetriableException("PostgreSQL write failed; the batch will be retried", e);
        }
    }

    /**
     * A batch broke a table constraint or carried a value the table cannot hold: some record carries data the table
     * refuses, and retrying will not change that. Write the records one at a time, and hand each refused one to
     * Connect's error handling (its dead-letter topic when {@code errors.deadletterqueue.topic.name} is set), so that
     * the rest proceed.
     */
    private void writeOneByOne(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            if (record.value() == null) {
                continue;
            }
            V value = valueType().cast(record.value());
            long started = System.nanoTime();
            try {
                int rows = database.jdbi().inTransaction(handle -> write(handle, List.of(value)));
                SinkMetrics.batchWritten(table(), rows, System.nanoTime() - started);
            } catch (JdbiException e) {
                if (!isDataError(e)) {
                    SinkMetrics.failed(table(), SinkMetrics.Failure.RETRIED);
                    throw new RetriableException("PostgreSQL write failed; the batch will be retried", e);
                }
                ErrantRecordReporter reporter = context == null ? null : context.errantRecordReporter();
                if (reporter == null) {
                    throw new ConnectException("record " + record.topic() + "-" + record.kafkaPartition() + "@"
                            + record.kafkaOffset() + " holds data the table refuses, and the connector has no error "
                            + "reporting configured", e);
                }
                LOG.warn("record {}-{}@{} holds data the table refuses; reporting it: {}", record.topic(),
                        record.kafkaPartition(), record.kafkaOffset(), e.getCause() == null ? e : e.getCause());
                SinkMetrics.failed(table(), SinkMetrics.Failure.REFUSED);
                var unused = reporter.report(record, e);
            }
        }
    }

    /**
     * SQLSTATE class 22, a data exception (a string too long for its column, a number out of range, an invalid
     * encoding), or class 23, an integrity constraint violation (not null, check, unique, foreign key). Both are about
     * the record, not the database: retrying them only retries until the task dies, and blocks every record behind.
     */
    static boolean isDataError(JdbiException failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void stop() {
        // The data source opens a connection per transaction; there is nothing pooled to close.
    }
}
