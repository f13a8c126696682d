package io.paystream.processor.kafka;

import io.paystream.processor.errors.CountingDeserializationExceptionHandler;
import io.paystream.processor.errors.CountingProcessingExceptionHandler;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.schemas.Topics;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.streams.StreamsConfig;

/** The one place where Kafka Streams properties are built. */
public final class StreamsProperties {
    private StreamsProperties() {
    }

    /**
     * The settings PayStream chooses itself. They are applied after the client properties from the YAML, so a config
     * file cannot weaken the processing guarantee.
     *
     * @param applicationId the Streams application id (consumer group, prefix of internal topics)
     * @param stateDir where the local state stores live
     * @param commitIntervalMs how often transactions commit; a longer interval batches more but delays outputs
     * @param standbyReplicas warm copies of each store on other instances
     * @param streamThreads processing threads per instance
     * @param replicationFactor replication of the internal changelog topics
     * @param applicationServer host:port of this instance's query API, or null
     * @param groupInstanceId this instance's static member name, or null or blank for a dynamic member
     */
    public record Settings(
            String applicationId,
            String stateDir,
            long commitIntervalMs,
            int standbyReplicas,
            int streamThreads,
            short replicationFactor,
            String applicationServer,
            String groupInstanceId) {
        public Settings {
            Objects.requireNonNull(applicationId, "applicationId");
            Objects.requireNonNull(stateDir, "stateDir");
        }
    }

    /** Builds the properties: the YAML's client properties, then PayStream's own settings on top. */
    public static Properties build(Map<String, String> clientProperties, Settings settings, PaymentMetrics metrics) {
        Properties properties = new Properties();
        properties.putAll(clientProperties);
        properties.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
        properties.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir());
        properties.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        properties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, settings.commitIntervalMs());
        properties.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, settings.standbyReplicas());
        properties.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        properties.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.replicationFactor());
        if (settings.replicationFactor() >= 3) {
            // The changelogs are the stores' durability, like PayStream's own topics: two replicas in sync to write.
            properties.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), 2);
        }
        properties.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        // KIP-892 (Kafka 4.4): stores stage a transaction's writes and apply them when its changelog transaction
        // commits, and READ_COMMITTED interactive queries (IQv1 always uses this default) never serve a balance or
        // status that an aborted transaction wrote: a reader can no longer see a payment go back from REVERSED to
        // PROCESSING after a broker restart, which the chaos readers caught on 4.3.1. (A crash still re-initializes
        // the tasks 4.4.0 opens at start-up; see docs/processor.md.)
        properties.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
        properties.put(StreamsConfig.DEFAULT_INTERACTIVE_QUERY_ISOLATION_LEVEL_CONFIG,
                IsolationLevel.READ_COMMITTED.name());
        properties.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, Topics.DEAD_LETTERS.name());
        properties.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                CountingDeserializationExceptionHandler.class);
        properties.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG,
                CountingProcessingExceptionHandler.class);
        // Exactly-once already implies these; stating them keeps them true if the guarantee is ever revisited.
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.ACKS_CONFIG), "all");
        properties.put(StreamsConfig.producerPrefix(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), true);
        properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        if (settings.groupInstanceId() != null && !settings.groupInstanceId().isBlank()) {
            // Kafka Streams gives each stream thread's consumer this name plus "-<thread number>".
            properties.put(StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG),
                    settings.groupInstanceId());
        }
        if (settings.applicationServer() != null) {
            properties.put(StreamsConfig.APPLICATION_SERVER_CONFIG, settings.applicationServer());
        }
        properties.put(PaymentMetrics.CONFIG_KEY, metrics);
        return properties;
    }
}
