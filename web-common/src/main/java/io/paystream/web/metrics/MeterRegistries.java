package io.paystream.web.metrics;

import io.dropwizard.core.setup.Environment;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Creates the Prometheus registry every PayStream app exposes, with JVM and process metrics bound. */
public final class MeterRegistries {
    private MeterRegistries() {
    }

    /**
     * A Prometheus registry with JVM and process metrics, served at {@code /metrics} on the admin port and closed with
     * the application.
     */
    public static PrometheusMeterRegistry prometheus(Environment environment) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        environment.lifecycle().manage(new io.dropwizard.lifecycle.Managed() {
            @Override
            public void stop() {
                gc.close();
                registry.close();
            }
        });
        environment.admin().addServlet("prometheus", new PrometheusMetricsServlet(registry)).addMapping("/metrics");
        return registry;
    }
}
