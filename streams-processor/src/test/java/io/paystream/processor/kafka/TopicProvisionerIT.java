package io.paystream.processor.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.testing.DropwizardTestSupport;
import io.paystream.processor.ProcessorConfiguration;
import io.paystream.processor.testing.ProcessorUnderTest;
import io.paystream.testing.InProcessKafka;
import io.paystream.schemas.Topic;
import io.paystream.schemas.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Topic provisioning against a real broker: creating what is missing, and refusing mismatched partition counts. */
class TopicProvisionerIT {
    private static InProcessKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = InProcessKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    private static Topic<String, String> topic(String name) {
        return new Topic<>(name, Serdes.String(), Serdes.String());
    }

    @Test
    void createsMissingTopicsAndLeavesExistingOnesAlone() throws Exception {
        Admin admin = kafka.admin();
        admin.createTopics(List.of(new NewTopic("prov.existing", 4, (short) 1))).all().get();
        List<Topic<?, ?>> topics = List.of(topic("prov.existing"), topic("prov.missing"));
        TopicProvisioner provisioner = new TopicProvisioner(topics, List.of(topic("prov.missing")),
                Map.of("prov.missing", Map.of("retention.ms", "-1")), 4, (short) 1, Duration.ofSeconds(30));

        provisioner.ensure(admin);
        provisioner.ensure(admin);

        var described = admin.describeTopics(List.of("prov.existing", "prov.missing")).allTopicNames().get();
        assertThat(described.get("prov.missing").partitions()).hasSize(4);
        assertThat(described.get("prov.existing").partitions()).hasSize(4);
    }

    @Test
    void refusesCoPartitionedTopicsWithDifferentPartitionCounts() throws Exception {
        Admin admin = kafka.admin();
        admin.createTopics(List.of(new NewTopic("prov.left", 3, (short) 1), new NewTopic("prov.right", 2, (short) 1)))
                .all().get();
        List<Topic<?, ?>> topics = List.of(topic("prov.left"), topic("prov.right"));
        TopicProvisioner provisioner = new TopicProvisioner(topics, topics, Map.of(), 3, (short) 1,
                Duration.ofSeconds(30));

        assertThatThrownBy(() -> provisioner.ensure(admin))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("co-partitioned topics must have the same number of partitions")
                .hasMessageContaining("prov.left=3")
                .hasMessageContaining("prov.right=2");
    }

    @Test
    void theProcessorRefusesToStartWhenARequestTopicHasAnotherPartitionCount() throws Exception {
        kafka.admin().createTopics(List.of(new NewTopic(Topics.PAYMENT_REQUESTS.name(), Optional.of(2),
                Optional.of((short) 1)))).all().get();
        DropwizardTestSupport<ProcessorConfiguration> app = ProcessorUnderTest.on(kafka.bootstrapServers());
        try {
            assertThatThrownBy(app::before)
                    .hasStackTraceContaining("refusing to start")
                    .hasStackTraceContaining(Topics.PAYMENT_REQUESTS.name() + "=2")
                    .hasStackTraceContaining(Topics.LEDGER.name() + "=3");
        } finally {
            app.after();
        }
    }
}
