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
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
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
     * @throws IllegalStateException when the co-partitioned topics disagree, or the cluster does not answer in time
     */
    public void ensure(Admin admin) {
        Set<String> existing = call("list topics", admin.listTopics().names());
        for (Topic<?, ?> topic : topics) {
            if (existing.contains(topic.name())) {
                continue;
            }
            NewTopic newTopic = new NewTopic(topic.name(), partitions, replicationFactor)
                    .configs(topicConfigs.getOrDefault(topic.name(), Map.of()));
            try {
                call("create topic " + topic.name(), admin.createTopics(List.of(newTopic)).all());
                LOG.info("created topic {} with {} partitions, replication {}", topic.name(), partitions,
                        replicationFactor);
            } catch (IllegalStateException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
                LOG.info("topic {} was created concurrently by another instance", topic.name());
            }
        }
        checkCoPartitioning(admin);
    }

    private void checkCoPartitioning(Admin admin) {
        List<String> names = coPartitioned.stream().map(Topic::name).toList();
        Map<String, TopicDescription> descriptions = call("describe topics",
                admin.describeTopics(names).allTopicNames());
        Map<String, Integer> counts = new TreeMap<>();
        descriptions.forEach((name, description) -> counts.put(name, description.partitions().size()));
        Set<Integer> distinct = counts.values().stream().collect(Collectors.toSet());
        if (distinct.size() > 1) {
            throw new IllegalStateException("refusing to start: the co-partitioned topics must have the same number "
                    + "of partitions, but they have " + counts + ". Repartition them to one count (or recreate them) "
                    + "before starting the processor.");
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
