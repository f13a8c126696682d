package io.paystream.processor;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paystream.processor.health.KafkaStreamsHealthCheck;
import io.paystream.processor.kafka.ManagedKafkaStreams;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.web.metrics.MeterRegistries;

/**
 * The processor: hosts the exactly-once payments topology in Kafka Streams, with a health check and Prometheus
 * metrics on the admin port. Start it with {@code server config.yml}.
 */
public class ProcessorApplication extends Application<ProcessorConfiguration> {
    private volatile ManagedKafkaStreams streams;

    public static void main(String[] args) throws Exception {
        new ProcessorApplication().run(args);
    }

    @Override
    public String getName() {
        return "paystream-processor";
    }

    @Override
    public void initialize(Bootstrap<ProcessorConfiguration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(new SubstitutingSourceProvider(
                bootstrap.getConfigurationSourceProvider(), new EnvironmentVariableSubstitutor(false)));
    }

    @Override
    public void run(ProcessorConfiguration configuration, Environment environment) {
        PrometheusMeterRegistry registry = MeterRegistries.prometheus(environment);
        PaymentMetrics metrics = new PaymentMetrics(registry);
        streams = configuration.getStreams().build(configuration.getKafka(), metrics, registry);
        environment.lifecycle().manage(streams);
        environment.healthChecks().register("kafka-streams", new KafkaStreamsHealthCheck(streams));
    }

    /** The managed Streams instance, once {@link #run} has built it. */
    public ManagedKafkaStreams streams() {
        return streams;
    }
}
