package io.paystream.processor;

import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.paystream.processor.health.KafkaStreamsHealthCheck;
import io.paystream.processor.kafka.ManagedKafkaStreams;
import io.paystream.processor.metrics.PaymentMetrics;
import io.paystream.processor.metrics.PrometheusMetricsServlet;

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
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        PaymentMetrics metrics = new PaymentMetrics(registry);
        streams = configuration.getStreams().build(configuration.getKafka(), metrics, registry);
        environment.lifecycle().manage(streams);
        environment.healthChecks().register("kafka-streams", new KafkaStreamsHealthCheck(streams));
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(registry)).addMapping("/metrics");
    }

    /** The managed Streams instance, once {@link #run} has built it. */
    public ManagedKafkaStreams streams() {
        return streams;
    }
}
