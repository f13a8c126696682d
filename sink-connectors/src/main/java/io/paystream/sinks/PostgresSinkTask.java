package io.paystream.sinks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
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

    /** The decoded value class this task accepts. */
    abstract Class<V> valueType();

    /** Writes the batch within the open transaction. */
    abstract void write(Handle handle, List<V> values);

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
        try {
            database.jdbi().useTransaction(handle -> write(handle, values));
            failedAttempts = 0;
        } catch (JdbiException e) {
            failedAttempts++;
            if (failedAttempts > config.retriesMax()) {
                throw new ConnectException("PostgreSQL failed " + failedAttempts + " times in a row; stopping so that "
                        + "no offset is committed past unwritten rows", e);
            }
            LOG.warn("writing {} records failed (attempt {} of {}); retrying in {} ms: {}", values.size(),
                    failedAttempts, config.retriesMax() + 1, config.retryBackoffMs(), e.toString());
            if (context != null) {
                context.timeout(config.retryBackoffMs());
            }
            throw new RetriableException("PostgreSQL write failed; the batch will be retried", e);
        }
    }

    @Override
    public void stop() {
        // The data source opens a connection per transaction; there is nothing pooled to close.
    }
}
