package io.paystream.processor.kafka;

import io.paystream.schemas.Topic;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the pipeline's topics exist before Kafka Streams starts: creates the missing ones with the configured
 * partition count and replication, and refuses to go on when the co-partitioned topics disagree on their partition
 * counts, because then the same key would land on different partition numbers and the ledger would split an
 * account's state across tasks.
 */
public final class TopicProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);
    /** Back-off between describes while a concurrently created topic becomes visible. */
    private static final long METADATA_RETRY_BACKOFF_MS = 100;

    private final List<Topic<?, ?>> topics;
    private final List<Topic<?, ?>> coPartitioned;
    private final Map<String, Map<String, String>> topicConfigs;
    private final int partitions;
    private final short replicationFactor;
    private final Duration timeout;

    /**
     * @param topics every topic to ensure
     * @param coPartitioned the topics that must share one partition count
     * @param topicConfigs topic-level configs applied when a topic is created, by topic name
     * @param partitions partitions of a newly created topic
     * @param replicationFactor replicas of a newly created topic
     * @param timeout the bound on each admin call
     */
    public TopicProvisioner(List<Topic<?, ?>> topics, List<Topic<?, ?>> coPartitioned,
            Map<String, Map<String, String>> topicConfigs, int partitions, short replicationFactor,
            Duration timeout) {
        this.topics = List.copyOf(topics);
        this.coPartitioned = List.copyOf(coPartitioned);
        this.topicConfigs = Map.copyOf(topicConfigs);
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Creates what is missing, then checks the co-partitioned set.
     *
     * @return the co-partitioned topics' partition count
     * @throws IllegalStateException when the co-partitioned topics disagree, or the cluster does not answer in time
     */
    public int ensure(Admin admin) {
        Set<String> existing = call("list topics", admin.listTopics().names());
        // Partition counts of the topics created here, taken from the create results: a describe right after a
        // create can fail while the new topic's metadata is still propagating to the brokers.
        Map<String, Integer> created = new TreeMap<>();
        for (Topic<?, ?> topic : topics) {
            if (existing.contains(topic.name())) {
                continue;
            }
            NewTopic newTopic = new NewTopic(topic.name(), partitions, replicationFactor)
                    .configs(topicConfigs.getOrDefault(topic.name(), Map.of()));
            try {
                CreateTopicsResult result = admin.createTopics(List.of(newTopic));
                call("create topic " + topic.name(), result.all());
                created.put(topic.name(), call("read partitions of " + topic.name(),
                        result.numPartitions(topic.name())));
                LOG.info("created topic {} with {} partitions, replication {}", topic.name(), partitions,
                        replicationFactor);
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                LOG.info("topic {} was created concurrently by another instance", topic.name());
            }
        }
        return checkCoPartitioning(admin, created);
    }

    private int checkCoPartitioning(Admin admin, Map<String, Integer> created) {
        Map<String, Integer> counts = new TreeMap<>(created);
        List<String> toDescribe = coPartitioned.stream().map(Topic::name).filter(n -> !created.containsKey(n))
                .toList();
        describeWhenVisible(admin, toDescribe)
                .forEach((name, description) -> counts.put(name, description.partitions().size()));
        counts.keySet().retainAll(coPartitioned.stream().map(Topic::name).toList());
        Set<Integer> distinct = counts.values().stream().collect(Collectors.toSet());
        if (distinct.size() > 1) {
            throw new IllegalStateException("refusing to start: the co-partitioned topics must have the same number "
                    + "of partitions, but they have " + counts + ". Repartition them to one count (or recreate them) "
                    + "before starting the processor.");
        }
        return distinct.stream().findFirst().orElse(partitions);
    }

    /**
     * Describes topics, retrying while a topic that another instance just created is not yet visible, up to the
     * timeout. Topics that existed before this start are visible at once.
     */
    private Map<String, TopicDescription> describeWhenVisible(Admin admin, List<String> names) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return call("describe topics " + names, admin.describeTopics(names).allTopicNames());
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            // Metadata propagates in milliseconds; a short, bounded back-off avoids hammering the controller.
            TimeUnit.MILLISECONDS.sleep(METADATA_RETRY_BACKOFF_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topic metadata", e);
        }
    }

    private <T> T call(String what, org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot " + what + ": Kafka did not answer within " + timeout, e);
        }
    }
}
