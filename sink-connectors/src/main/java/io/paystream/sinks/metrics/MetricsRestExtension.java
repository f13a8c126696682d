package io.paystream.sinks.metrics;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.util.Map;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;

/**
 * Serves {@link SinkMetrics} in Prometheus' text format at {@code GET /metrics} on the Connect worker's REST port.
 * Enable it in the worker's configuration: {@code rest.extension.classes=io.paystream.sinks.metrics.MetricsRestExtension}.
 */
public final class MetricsRestExtension implements ConnectRestExtension {
    @Override
    public void register(ConnectRestExtensionContext context) {
        context.configurable().register(new MetricsResource());
    }

    @Override
    public void configure(Map<String, ?> configs) {
        // Nothing to configure.
    }

    @Override
    public void close() {
        // The registry lives as long as the worker.
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    /** The scrape endpoint. */
    @Path("/metrics")
    public static final class MetricsResource {
        @GET
        @Produces("text/plain; version=0.0.4; charset=utf-8")
        public String scrape() {
            return SinkMetrics.registry().scrape();
        }
    }
}
